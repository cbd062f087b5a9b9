"""Writes the NumPy files test/io/*.test.ts reads back. Run: python3 test/io/gen_fixtures.py (NumPy >= 1.20)."""
import os
import numpy as np

out = os.path.join(os.path.dirname(__file__), "fixtures")
os.makedirs(out, exist_ok=True)
a = np.arange(6, dtype=np.float64).reshape(2, 3) / 4 - 0.5
np.save(os.path.join(out, "f8.npy"), a)
np.save(os.path.join(out, "f4.npy"), a.astype(np.float32))
np.save(os.path.join(out, "i4.npy"), np.array([[1, -2], [3, 2147483647]], dtype=np.int32))
np.save(os.path.join(out, "i8.npy"), np.array([5, -6, 7], dtype=np.int64))
np.save(os.path.join(out, "u1.npy"), np.array([0, 255, 7], dtype=np.uint8))
np.save(os.path.join(out, "b1.npy"), np.array([True, False, True]))
np.save(os.path.join(out, "f2.npy"), np.array([1.5, -0.0, 65504, np.inf], dtype=np.float16))
np.save(os.path.join(out, "be_f8.npy"), a.astype(">f8"))
np.save(os.path.join(out, "fortran.npy"), np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4)))
np.save(os.path.join(out, "scalar.npy"), np.float64(3.25))
np.save(os.path.join(out, "empty.npy"), np.zeros((0, 3), dtype=np.float32))
np.savez_compressed(os.path.join(out, "compressed.npz"), W=a.astype(np.float32), labels=np.array([3, 1], dtype=np.int32))
np.savez(os.path.join(out, "stored.npz"), x=np.arange(5, dtype=np.float64))
