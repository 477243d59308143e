#!/usr/bin/python3
"""Writes small FITS files with astropy into test/fixtures/fits/, for features our own writer
does not produce: an ASCII TABLE extension, a tile-compressed (RICE_1) image, variable-length
(P) and bit (X) columns, complex (C) columns, HIERARCH and CONTINUE cards, and TNULL.
The tests read these committed files, so they do not need astropy.

Run: /usr/bin/python3 scripts/make-foreign-fixtures.py
"""
import numpy as np
from astropy.io import fits

OUT = "test/fixtures/fits/astropy-written.fits"

primary = fits.PrimaryHDU(np.arange(12, dtype=np.int16).reshape(3, 4))
primary.header["HIERARCH ESO DET CHIP NAME"] = "CCD-44"
primary.header["LONGSTR"] = "a long string value " * 6
ascii_table = fits.TableHDU.from_columns(
    [fits.Column(name="ID", format="I5", array=np.array([1, 2, 3])),
     fits.Column(name="NAME", format="A8", array=np.array(["a b", "c", "d"]))],
    name="ASCII",
)
compressed = fits.CompImageHDU(np.arange(64, dtype=np.float32).reshape(8, 8), compression_type="RICE_1", name="COMP")
odd_columns = fits.BinTableHDU.from_columns(
    [fits.Column(name="VLA", format="PE()", array=np.array([np.array([1.0, 2.0], dtype=np.float32), np.array([3.0], dtype=np.float32)], dtype=object)),
     fits.Column(name="BITS", format="12X", array=np.zeros((2, 12), dtype=bool)),
     fits.Column(name="CPLX", format="C", array=np.array([1 + 2j, 3 - 4j], dtype=np.complex64)),
     fits.Column(name="N", format="J", null=-1, array=np.array([5, -1], dtype=np.int32))],
    name="ODD",
)
fits.HDUList([primary, ascii_table, compressed, odd_columns]).writeto(OUT, overwrite=True, checksum=False)
print("wrote", OUT)
