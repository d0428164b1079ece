# Step: the ledger above had one producer; in production each member
# organisation runs hc-node and no single member can rewrite the chain. Four
# nodes start on loopback, agree on every block, survive a crash, and verify.
# (examples/node-consortium.sh also runs on its own; it stops its nodes itself.)
export bold plain; export -f say indent
bash "$here/node-consortium.sh"
