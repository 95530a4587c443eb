"""The seed A, seed B and convnet recipes in Keras, measured like dnb-bench measures dnb.

One recipe per process (so the peak RSS is that recipe's whole job: load,
normalise, fit, evaluate), written as JSON with dnb-bench's field names.
The data is read with numpy from DNB_DATA (the four IDX files, gzipped or
not, or mnist.npz): keras.datasets.mnist.load_data() would try the network.

    python keras_recipes.py --recipe b --json out.json [--data DIR] [--repeats N] [--epochs N]

The convnet is keras-io's "Simple MNIST convnet" (examples/vision/mnist_convnet.py):
conv 32 3x3 relu, maxpool 2, conv 64 3x3 relu, maxpool 2, flatten, dropout 0.5,
dense 10 softmax; Adam, batch 128, 15 epochs, validation_split 0.1.

The batch-normalized convnet (recipe bnconv) is the model of dnb's
notebooks/convnet.dnb: conv 32 3x3, batchnorm, relu, conv 32 3x3, batchnorm,
relu, maxpool 2, conv 64 3x3, batchnorm, relu, conv 64 3x3, batchnorm, relu,
maxpool 2, flatten, dropout 0.4, dense 10 softmax (each Conv2D without
activation, then BatchNormalization with Keras's defaults, momentum 0.99 and
epsilon 0.001, then Activation('relu')); Adam lr 0.002, batch 128, 15 epochs,
validation_split 0.1. Without the notebook's augmentation and cosine schedule,
as dnb-bench runs it.
"""

import argparse
import gzip
import json
import os
import resource
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

RECIPES = {
    "a": dict(title="seed A 784-15-10", hidden=15, epochs=10, batch=32, validation=0.0),
    "b": dict(title="seed B 784-128-10", hidden=128, epochs=10, batch=32, validation=0.2),
    "conv": dict(title="keras-io convnet", hidden=0, epochs=15, batch=128, validation=0.1),
    "bnconv": dict(title="batch-normalized convnet", hidden=0, epochs=15, batch=128, validation=0.1,
                   learning_rate=0.002),
}


def build_model(keras, recipe):
    if recipe["hidden"]:
        return keras.Sequential([
            keras.Input(shape=(784,)),
            keras.layers.Dense(recipe["hidden"], activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ])
    if recipe["title"] == RECIPES["bnconv"]["title"]:
        layers = [keras.Input(shape=(28, 28, 1))]
        for filters, pool in ((32, False), (32, True), (64, False), (64, True)):
            layers += [
                keras.layers.Conv2D(filters, kernel_size=(3, 3)),
                keras.layers.BatchNormalization(momentum=0.99, epsilon=0.001),
                keras.layers.Activation("relu"),
            ]
            if pool:
                layers.append(keras.layers.MaxPooling2D(pool_size=(2, 2)))
        layers += [
            keras.layers.Flatten(),
            keras.layers.Dropout(0.4),
            keras.layers.Dense(10, activation="softmax"),
        ]
        return keras.Sequential(layers)
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax"),
    ])


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find_idx(folder, stem, kind):
    for name in (f"{stem}-{kind}", f"{stem}.{kind}"):
        for suffix in ("", ".gz"):
            path = os.path.join(folder, name + suffix)
            if os.path.exists(path):
                return path
    return None


def load_mnist(path):
    """(x_train, y_train), (x_test, y_test) as uint8 arrays, like mnist.load_data()."""
    if os.path.isdir(path):
        files = [find_idx(path, s, k) for s, k in (("train-images", "idx3-ubyte"), ("train-labels", "idx1-ubyte"),
                                                   ("t10k-images", "idx3-ubyte"), ("t10k-labels", "idx1-ubyte"))]
        if all(files):
            return (read_idx(files[0]), read_idx(files[1])), (read_idx(files[2]), read_idx(files[3]))
        path = os.path.join(path, "mnist.npz")
    if not os.path.exists(path):
        sys.exit(f"keras_recipes.py: no MNIST at {path} (set DNB_DATA to a folder with the IDX files or mnist.npz)")
    with np.load(path) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipe", choices=sorted(RECIPES), required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("--data", default=os.environ.get("DNB_DATA", ""))
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=0, help="train this many epochs instead of the recipe's")
    args = parser.parse_args()
    recipe = dict(RECIPES[args.recipe])
    if args.epochs > 0:
        recipe["epochs"] = args.epochs
    if not args.data:
        sys.exit("keras_recipes.py: set DNB_DATA or pass --data")

    import keras
    import tensorflow as tf

    started = time.perf_counter()
    (x_train, y_train), (x_test, y_test) = load_mnist(args.data)
    load_seconds = time.perf_counter() - started

    started = time.perf_counter()
    shape = (-1, 784) if recipe["hidden"] else (-1, 28, 28, 1)
    x_train = x_train.reshape(shape).astype("float32") / 255.0
    x_test = x_test.reshape(shape).astype("float32") / 255.0
    normalize_seconds = time.perf_counter() - started

    fits, epoch_times = [], []
    model = history = None
    for _ in range(args.repeats):
        keras.utils.set_random_seed(1)
        model = build_model(keras, recipe)
        optimizer = keras.optimizers.Adam(learning_rate=recipe.get("learning_rate", 0.001))
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])

        class EpochTimer(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                epoch_times.append(time.perf_counter() - self.start)

        started = time.perf_counter()
        history = model.fit(x_train, y_train, epochs=recipe["epochs"], batch_size=recipe["batch"],
                            validation_split=recipe["validation"], shuffle=True, verbose=0,
                            callbacks=[EpochTimer()])
        fits.append(time.perf_counter() - started)

    evaluations = []
    for _ in range(3):
        started = time.perf_counter()
        test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
        evaluations.append(time.perf_counter() - started)

    count = len(x_train)
    validation = int(count * recipe["validation"]) if recipe["validation"] else 0
    val_accuracy = history.history.get("val_accuracy")
    report = dict(
        recipe=args.recipe, title=recipe["title"], threads=tf.config.threading.get_intra_op_parallelism_threads() or os.cpu_count(),
        repeats=args.repeats, load=load_seconds, normalize=normalize_seconds, fits=fits,
        bestEpoch=min(epoch_times), medianEpoch=float(np.median(epoch_times)),
        epochs=recipe["epochs"], steps=-(-(count - validation) // recipe["batch"]),
        trainingSamples=count - validation, validationSamples=validation,
        evaluate=min(evaluations), evaluateFirst=evaluations[0],
        testAccuracy=float(test_accuracy), testLoss=float(test_loss),
        validationAccuracy=float(val_accuracy[-1]) if val_accuracy else None,
        finalLoss=float(history.history["loss"][-1]),
        peakRSS=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        parameters=int(model.count_params()),
        versions=dict(tensorflow=tf.__version__, keras=keras.__version__),
    )
    with open(args.json, "w") as f:
        json.dump(report, f)


if __name__ == "__main__":
    main()
