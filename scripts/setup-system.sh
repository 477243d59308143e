#!/usr/bin/env bash
# Debian packages some tests and tools use, installed when missing (CI and fresh machines):
#   chromium          the headless browser that drives the web page test (test/web)
#   python3-astropy   the reference FITS/VOTable reader the live astropy checks compare against
# Best effort: without root or a package mirror it says what is missing and returns 0, and the
# tests that need a missing program report themselves as skipped (by name) instead of passing.
set -uo pipefail
want=()
command -v chromium >/dev/null 2>&1 || want+=(chromium)
/usr/bin/python3 -c 'import astropy' >/dev/null 2>&1 || want+=(python3-astropy)
if [ ${#want[@]} -eq 0 ]; then echo "setup-system: chromium and astropy present"; exit 0; fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-system: missing ${want[*]} (install them with apt-get as root); tests that need them will be skipped"
  exit 0
fi
echo "setup-system: installing ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null; then
  echo "setup-system: installed ${want[*]}"
else
  echo "setup-system: could not install ${want[*]}; tests that need them will be skipped"
fi
exit 0
