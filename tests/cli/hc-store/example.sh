# examples/blobstore.sh runs end to end and tells the tampering story.
source "$HC_SRC/tests/cli/lib.sh"
run 0 bash "$HC_SRC/examples/blobstore.sh"
expect_out "fetched.age is identical to emr.age"
expect_out "refused (exit 1), and no tampered.age was written: absent"
expect_out '"ok":true'
