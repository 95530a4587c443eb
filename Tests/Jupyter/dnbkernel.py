"""What the Jupyter tests share: a dnb kernelspec installed in a temporary
Jupyter path, a tiny IDX data set, and the real MNIST when DNB_DATA names it."""

import atexit
import os
import shutil
import struct
import subprocess
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DNB = os.environ.get("DNB_BIN", os.path.join(ROOT, ".build", "release", "dnb"))
MNIST = os.environ.get("DNB_DATA", "")
NO_MNIST = "no MNIST: set DNB_DATA to ../shared/data/mnist (make test does)"

_installed = None


def install_kernel():
    """Installs the kernelspec of the dnb under test into a temporary prefix
    and points Jupyter at it (JUPYTER_PATH), once per process."""
    global _installed
    if _installed is None:
        prefix = tempfile.mkdtemp(prefix="dnb-kernelspec-")
        atexit.register(shutil.rmtree, prefix, True)
        subprocess.run([DNB, "kernel", "install", "--prefix", prefix], check=True, stdout=subprocess.DEVNULL)
        os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
        _installed = prefix
    return _installed


def write_tiny_idx(folder, train=60, test=20):
    """Four IDX files of 28x28 digits: a bar whose row is the label, so a
    small network learns it at once. Returns the `load idx` command."""

    def images(count):
        data = bytearray(struct.pack(">IIII", 0x803, count, 28, 28))
        for index in range(count):
            picture = bytearray(28 * 28)
            row = 2 + 2 * (index % 10)
            for column in range(4, 24):
                picture[row * 28 + column] = 255
            data += picture
        return bytes(data)

    def labels(count):
        return struct.pack(">II", 0x801, count) + bytes(index % 10 for index in range(count))

    names = []
    for name, content in [
        ("train-images", images(train)),
        ("train-labels", labels(train)),
        ("test-images", images(test)),
        ("test-labels", labels(test)),
    ]:
        path = os.path.join(folder, name)
        with open(path, "wb") as file:
            file.write(content)
        names.append('"' + path + '"')
    return "load idx " + " ".join(names)
