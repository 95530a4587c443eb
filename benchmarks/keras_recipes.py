"""The seed A, seed B and convnet recipes in Keras, measured like dnb-bench measures dnb.

One recipe per process (so the peak RSS is that recipe's whole job: load,
normalise, fit, evaluate), written as JSON with dnb-bench's field names.
The data is read with numpy from DNB_DATA (the four IDX files, gzipped or
not, or mnist.npz): keras.datasets.mnist.load_data() would try the network.

    python keras_recipes.py --recipe b --json out.json [--data DIR] [--repeats N] [--epochs N]
                            [--test-each-epoch] [--stop-at ACCURACY]

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

--test-each-epoch evaluates the test set after every epoch (outside the
epoch's time, and taken out of the fit's: it is only measured) and reports
each epoch's test accuracy, and the epoch and cumulative fit seconds (the
epochs' own times, validation included) at which it first reached
--reach (default 0.990) as `reached`. --stop-at ACCURACY does the same and
stops training there (for the keras-io recipe, Keras's time to 99%); without
it the recipe trains all its epochs, so one run also gives the recipe's best
test accuracy over its epochs, and the epoch times of the fit are those of an
ordinary fit. Either way the test set chooses nothing: no epoch is kept for
its test accuracy.
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


def reaches(accuracy, count, target):
    """Whether a test accuracy over `count` examples reaches `target`, compared in whole examples
    (Keras's float32 accuracy of 9,900 / 10,000 is 0.99000001, of 9,899 0.98989999)."""
    return round(accuracy * count) >= round(target * count)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipe", choices=sorted(RECIPES), required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("--data", default=os.environ.get("DNB_DATA", ""))
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=0, help="train this many epochs instead of the recipe's")
    parser.add_argument("--test-each-epoch", action="store_true",
                        help="evaluate the test set after every epoch (time not counted)")
    parser.add_argument("--reach", type=float, default=0.990,
                        help="with --test-each-epoch: the test accuracy whose first epoch is reported")
    parser.add_argument("--stop-at", type=float, default=0.0,
                        help="evaluate after every epoch and stop at the first reaching this test accuracy")
    args = parser.parse_args()
    if args.stop_at:
        args.test_each_epoch = True
        args.reach = args.stop_at
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
    epoch_tests = []  # the last fit's epochs: seconds, cumulative fit seconds, test accuracy
    evaluations = []  # every evaluation of the test set, per-epoch ones first
    for _ in range(args.repeats):
        keras.utils.set_random_seed(1)
        model = build_model(keras, recipe)
        optimizer = keras.optimizers.Adam(learning_rate=recipe.get("learning_rate", 0.001))
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])

        epoch_tests = []
        testing = []  # seconds spent evaluating the test set inside this fit

        class EpochTimer(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                # Keras has run the validation pass by now: the epoch's time includes it, as dnb's does.
                seconds = time.perf_counter() - self.start
                epoch_times.append(seconds)
                if not args.test_each_epoch:
                    return
                started = time.perf_counter()
                _, accuracy = self.model.evaluate(x_test, y_test, verbose=0)
                testing.append(time.perf_counter() - started)
                fit_seconds = (epoch_tests[-1]["fitSeconds"] if epoch_tests else 0.0) + seconds
                epoch_tests.append(dict(epoch=epoch + 1, seconds=seconds, fitSeconds=fit_seconds,
                                        validationAccuracy=(logs or {}).get("val_accuracy"),
                                        testAccuracy=float(accuracy)))
                print(f"epoch {epoch + 1}: {fit_seconds:.1f} s of fit, test accuracy {accuracy:.4f}",
                      file=sys.stderr, flush=True)
                if args.stop_at and reaches(accuracy, len(y_test), args.stop_at):
                    self.model.stop_training = True

        started = time.perf_counter()
        history = model.fit(x_train, y_train, epochs=recipe["epochs"], batch_size=recipe["batch"],
                            validation_split=recipe["validation"], shuffle=True, verbose=0,
                            callbacks=[EpochTimer()])
        fits.append(time.perf_counter() - started - sum(testing))
        evaluations = testing[:1]  # the first call of evaluate in this process, if there was one

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
        evaluate=min(evaluations[-3:]), evaluateFirst=evaluations[0],
        testAccuracy=float(test_accuracy), testLoss=float(test_loss),
        validationAccuracy=float(val_accuracy[-1]) if val_accuracy else None,
        finalLoss=float(history.history["loss"][-1]),
        peakRSS=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        parameters=int(model.count_params()),
        versions=dict(tensorflow=tf.__version__, keras=keras.__version__),
    )
    if args.test_each_epoch:
        reached = next((e for e in epoch_tests if reaches(e["testAccuracy"], len(y_test), args.reach)), None)
        report.update(epochTests=epoch_tests, reach=args.reach, reached=reached, stoppedAt=args.stop_at or None,
                      epochsTrained=len(epoch_tests))
    with open(args.json, "w") as f:
        json.dump(report, f)


if __name__ == "__main__":
    main()
