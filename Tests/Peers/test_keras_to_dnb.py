"""Keras -> dnb: Keras trains TensorFlow's quickstart, the keras-io convnet and
a dense model with BatchNormalization (keras_models.py) on the first 3,000
MNIST images for one epoch and saves each as .keras and .h5; dnb loads each
and its `evaluate` gives Keras's test accuracy on the same 2,000 test images.

Needs DNB_DATA (the real MNIST) and DNB_BIN (the dnb binary); skipped without.
"""
import os
import re
import subprocess
import tempfile
import unittest

DATA = os.environ.get("DNB_DATA")
DNB = os.environ.get("DNB_BIN")


@unittest.skipUnless(DATA, "DNB_DATA is not set (the real MNIST)")
@unittest.skipUnless(DNB, "DNB_BIN is not set (the dnb binary)")
class KerasToDnb(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import numpy as np
        import keras_models

        cls.folder = tempfile.TemporaryDirectory()
        cls.x, cls.y, cls.xt, cls.yt = keras_models.mnist(DATA)
        np.savez(os.path.join(cls.folder.name, "subset.npz"), x_train=cls.x, y_train=cls.y, x_test=cls.xt,
                 y_test=cls.yt)

    @classmethod
    def tearDownClass(cls):
        cls.folder.cleanup()

    def dnb(self, commands):
        notebook = os.path.join(self.folder.name, "check.dnb")
        with open(notebook, "w") as f:
            f.write(commands)
        result = subprocess.run([DNB, "run", notebook], cwd=self.folder.name, capture_output=True, text=True,
                                timeout=300)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return result.stdout

    def round_trip(self, name):
        import keras_models

        model, prepare = keras_models.train(keras_models.MODELS[name], self.x, self.y)
        _, keras_accuracy = model.evaluate(prepare(self.xt), self.yt, verbose=0)
        for ext in ("keras", "h5"):
            with self.subTest(format=ext):
                path = os.path.join(self.folder.name, f"{name}.{ext}")
                model.save(path)
                output = self.dnb(f"load npz subset.npz\nload model {name}.{ext}\nevaluate\n")
                found = re.search(r"^test: loss [0-9.]+ - accuracy ([0-9.]+) \(2,000 samples\)", output, re.M)
                self.assertIsNotNone(found, output)
                print(f"\n{name}.{ext}: Keras accuracy {keras_accuracy:.4f}, dnb {found.group(1)}")
                self.assertEqual(found.group(1), f"{keras_accuracy:.4f}", output)
        return output

    def test_quickstart(self):
        output = self.round_trip("quickstart")
        self.assertIn("gives logits (no softmax): dnb applies softmax", output)
        self.assertIn("no Rescaling or Normalization in front: dnb gives it pixels / 255", output)
        self.assertIn("adam after 94 steps", output)

    def test_convnet(self):
        output = self.round_trip("convnet")
        self.assertIn("28x28x1-26x26x32-13x13x32-11x11x64-5x5x64-1600-10, 34,826 parameters", output)

    def test_batchnorm(self):
        output = self.round_trip("batchnorm")
        self.assertIn("sgd after 94 steps", output)


if __name__ == "__main__":
    unittest.main()
