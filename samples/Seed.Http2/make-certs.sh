#!/usr/bin/env bash
# Makes the certificate files the study note's programs read (./ssl by default, relative to the working directory).
# The https and http2 programs read the same four files, so this is the Seed.Https script; see its header for the
# files and options.  Usage: ./make-certs.sh [output-dir]
exec bash "$(dirname "${BASH_SOURCE[0]}")/../Seed.Https/make-certs.sh" "$@"
