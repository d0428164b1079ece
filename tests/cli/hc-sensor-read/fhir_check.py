#!/usr/bin/env python3
"""Checks hc-sensor-read's JSON Lines against FHIR R4 Observation rules and
the vital-signs profiles' fixed values (the FHIR JSON schema is not packaged
here, so the fixed values are spelled out). Prints a count per code; exits
1 with the line number on the first violation.

Usage: fhir_check.py FILE [REQUIRED-CODE ...]"""
import json, re, sys

UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
CAT = "http://terminology.hl7.org/CodeSystem/observation-category"
LOCAL = "urn:hc:fhir:CodeSystem:sensor"
MDC = "urn:oid:2.16.840.1.113883.6.24"
SNOMED = "http://snomed.info/sct"
INTERP = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
DECIMAL = r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?"
SAMPLED = re.compile(r"^(" + DECIMAL + r"|E|U|L)( (" + DECIMAL + r"|E|U|L))*$")
# LOINC code -> (profile, UCUM unit of valueQuantity or None, category)
VITALS = {
    "8867-4": ("http://hl7.org/fhir/StructureDefinition/heartrate", "/min", "vital-signs"),
    "2708-6": ("http://hl7.org/fhir/StructureDefinition/oxygensat", "%", "vital-signs"),
    "9279-1": ("http://hl7.org/fhir/StructureDefinition/resprate", "/min", "vital-signs"),
    "8310-5": ("http://hl7.org/fhir/StructureDefinition/bodytemp", "Cel", "vital-signs"),
    "85354-9": ("http://hl7.org/fhir/StructureDefinition/bp", None, "vital-signs"),
    "2339-0": (None, "mg/dL", "laboratory"),
    "8361-8": (None, None, "vital-signs"),
}
POSITIONS = {"40199007", "102536004", "102535000", "1240000"}


class Bad(Exception):
    pass


def need(cond, what):
    if not cond:
        raise Bad(what)


def quantity(q, unit):
    need(isinstance(q.get("value"), (int, float)), "quantity value is a number")
    need(q.get("system") == UCUM, "quantity system is UCUM")
    need(q.get("code") == unit, f"quantity code {q.get('code')!r} == {unit!r}")


def check(o):
    need(o.get("resourceType") == "Observation", "resourceType")
    need(o.get("status") in ("registered", "preliminary", "final", "amended"), "status")
    need(re.match(r"^Patient/[0-9a-f]{16}$", o["subject"]["reference"]), "subject is Patient/<public ID>")
    need(DATETIME.match(o.get("effectiveDateTime", "")), "effectiveDateTime")
    need("display" in o.get("device", {}), "device")
    cats = [c["code"] for c in o["category"][0]["coding"] if c["system"] == CAT]
    codings = o["code"]["coding"]
    first = codings[0]
    key = first["code"]
    if first["system"] == LOINC:
        need(key in VITALS, f"known LOINC code {key}")
        profile, unit, category = VITALS[key]
        need(cats == [category], f"category {category}")
        if profile:
            need(profile in o["meta"]["profile"], "meta.profile")
        if key == "2708-6":
            need(any(c["code"] == "59408-5" and c["system"] == LOINC for c in codings), "SpO2 also 59408-5")
        if key == "85354-9":
            comps = {c["code"]["coding"][0]["code"]: c for c in o["component"]}
            need(set(comps) == {"8480-6", "8462-4"}, "BP components 8480-6 and 8462-4")
            for c in comps.values():
                quantity(c["valueQuantity"], "mm[Hg]")
            need("valueQuantity" not in o, "BP panel has no value of its own")
        elif key == "8361-8":
            v = o["valueCodeableConcept"]
            if "coding" in v:
                need(v["coding"][0]["system"] == SNOMED and v["coding"][0]["code"] in POSITIONS, "SNOMED position")
            else:
                need(v.get("text"), "position text")
        else:
            quantity(o["valueQuantity"], unit)
    elif first["system"] == MDC:
        need(key == "131328", "ECG is MDC 131328")
        sampled(o, "mV")
        need(cats == ["vital-signs"], "ECG category")
    elif first["system"] == LOCAL:
        need(key in ("emg", "airflow", "gsr"), "local code")
        if key == "gsr":
            quantity(o["valueQuantity"], "uS")
        else:
            sampled(o, "{ADC}")
    else:
        raise Bad(f"unexpected code system {first['system']}")
    for it in o.get("interpretation", []):
        need(it["coding"][0]["system"] == INTERP and it["coding"][0]["code"] in ("L", "H", "LL", "HH"), "interpretation")
    return key


def sampled(o, unit):
    sd = o["valueSampledData"]
    quantity(sd["origin"], unit)
    need(isinstance(sd["period"], (int, float)) and sd["period"] > 0, "period > 0")
    need(isinstance(sd["factor"], (int, float)) and sd["factor"] != 0, "factor")
    need(sd["dimensions"] == 1, "dimensions 1")
    need(SAMPLED.match(sd["data"]), "data is decimals separated by single spaces")


def main():
    counts = {}
    with open(sys.argv[1], encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                key = check(json.loads(line))
            except (Bad, KeyError, IndexError, TypeError, ValueError) as e:
                print(f"{sys.argv[1]}:{n}: {type(e).__name__}: {e}", file=sys.stderr)
                return 1
            counts[key] = counts.get(key, 0) + 1
    missing = [c for c in sys.argv[2:] if c not in counts]
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    if missing:
        print("missing codes: " + " ".join(missing), file=sys.stderr)
        return 1
    return 0


sys.exit(main())
