#!/bin/sh
# Replays every fuzz regression input through x86emu (under ASan+UBSan in
# build-asan): any crash or sanitizer report fails the check.
set -e
ls @DIR@/* >/dev/null
exec @REPLAY@ @DIR@/*
