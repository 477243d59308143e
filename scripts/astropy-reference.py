#!/usr/bin/python3
"""What astropy reports for FITS files, in the JSON shape of `skyclip inspect --json`.

Usage: /usr/bin/python3 scripts/astropy-reference.py [--verify] FILE...

Prints one JSON object: {"astropy": version, "numpy": version, "files": {FILE: summary}}.
For every HDU: index, name, kind, header cards (key, value, comment; read before the data
are touched, since astropy drops BSCALE/BZERO from a header once it scales the data), and
- images: BITPIX, shape, numpy dtype of hdu.data, statistics;
- binary tables: row count and per column name, TFORM, unit, repeat, dtype, statistics.
Statistics are over the finite values, computed in float64 (the values are astropy's,
converted exactly): count, nonFinite, min, max, mean, sum. --verify additionally runs
astropy's standard-conformance check (hdulist.verify('exception')) on each file.

Needs Debian's python3-astropy: run it with /usr/bin/python3 (the pyenv python3 on PATH
has no astropy).
"""
import json
import sys
import warnings

import numpy as np
from astropy import __version__ as astropy_version
from astropy.io import fits


def stats(values):
    a = np.asarray(values, dtype=np.float64).ravel()
    finite = np.isfinite(a)
    count = int(finite.sum())
    non_finite = int(a.size - count)
    if count == 0:
        return {"count": 0, "nonFinite": non_finite, "min": None, "max": None, "mean": None, "sum": 0.0}
    f = a[finite]
    return {
        "count": count,
        "nonFinite": non_finite,
        "min": float(f.min()),
        "max": float(f.max()),
        "mean": float(f.mean()),
        "sum": float(f.sum()),
    }


def card_value(value):
    if isinstance(value, fits.card.Undefined):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    return str(value)


def cards_of(header):
    out = []
    for card in header.cards:
        entry = {"key": card.keyword, "value": card_value(card.value)}
        if card.comment:
            entry["comment"] = card.comment
        out.append(entry)
    return out


def column_summary(hdu, column):
    values = hdu.data[column.name] if hdu.data is not None else np.zeros(0)
    dtype = values.dtype
    kind = dtype.kind
    repeat = dtype.itemsize // (4 if kind == "U" else 1) if kind in "SU" else int(np.prod(values.shape[1:], dtype=np.int64))
    return {
        "name": column.name,
        "format": str(column.format),
        "unit": column.unit or None,
        "repeat": repeat,
        "dtype": "str" if kind in "SU" else dtype.name,
        "stats": stats(values) if kind in "iuf" else None,
    }


def hdu_summary(index, hdu):
    cards = cards_of(hdu.header)
    name = hdu.header.get("EXTNAME") or ("PRIMARY" if index == 0 else None)
    if isinstance(hdu, fits.CompImageHDU) or not isinstance(hdu, (fits.PrimaryHDU, fits.ImageHDU, fits.BinTableHDU)):
        return {"index": index, "name": name, "kind": "skipped", "cards": cards}
    if isinstance(hdu, fits.BinTableHDU):
        return {
            "index": index,
            "name": name,
            "kind": "bintable",
            "cards": cards,
            "nrows": int(hdu.header["NAXIS2"]),
            "columns": [column_summary(hdu, c) for c in hdu.columns],
        }
    # BITPIX too must be read first: astropy rewrites it (e.g. 16 -> -32) once it scales the data.
    bitpix = int(hdu.header["BITPIX"])
    data = hdu.data
    return {
        "index": index,
        "name": name,
        "kind": "image",
        "cards": cards,
        "bitpix": bitpix,
        "shape": list(data.shape) if data is not None else None,
        "dtype": data.dtype.name if data is not None else None,
        "stats": stats(data) if data is not None else None,
    }


def summarize(path, verify):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with fits.open(path, memmap=False) as hdul:
            if verify:
                hdul.verify("exception")
            hdus = [hdu_summary(i, hdu) for i, hdu in enumerate(hdul)]
    return {"hdus": hdus, "warnings": [str(w.message) for w in caught]}


def main(argv):
    verify = "--verify" in argv
    paths = [a for a in argv if a != "--verify"]
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    out = {
        "astropy": astropy_version,
        "numpy": np.__version__,
        "files": {p: summarize(p, verify) for p in paths},
    }
    json.dump(out, sys.stdout, indent=1, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
