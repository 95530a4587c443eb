import Language

/// The syntax and help of every command; `CommandTable` pairs each with its handler.
public enum CommandSpecs {
    /// Activation names, for completion.
    public static var activationNames: [String] { activations }
    static let activations = ["relu", "sigmoid", "tanh", "softmax", "linear"]
    static let optimizers = ["sgd", "adam", "rmsprop"]

    static let load = CommandSpec(
        name: "load",
        usage: "load mnist [path=DIR_OR_NPZ] | load idx IMAGES LABELS [IMAGES LABELS] | load npz FILE | load model FILE",
        summary: "read MNIST, other data of the same shape, or a saved model",
        details: """
            load mnist looks, in order, at path=, $DNB_DATA, ./data/mnist/ and ~/.keras/datasets/mnist.npz
            (a folder of the four IDX files, gzipped or not, or a Keras mnist.npz); only when all are
            absent does it download Keras's mnist.npz into ~/.keras/datasets/.
            load idx reads IDX image and label files (training pair, then an optional test pair);
            load npz reads an archive with x_train, y_train, x_test and y_test.
            load model reads a model saved by `save model` (weights, architecture, normalization and
            optimizer state), so `fit` resumes where it stopped and `predict` works at once.
            """,
        subcommands: ["mnist", "idx", "npz", "model"],
        options: [OptionSpec("path", .text, "folder of IDX files, or an .npz file (load mnist)")],
        examples: ["load mnist", "load mnist path=data/mnist.npz", "load idx train-images.gz train-labels.gz"],
        takesPaths: true)

    static let normalize = CommandSpec(
        name: "normalize",
        usage: "normalize [scale|standardize]",
        summary: "use each image as 784 features scaled to [0, 1] (or standardized)",
        details: """
            scale (the default) divides every pixel by 255, as in Keras tutorials (x / 255.0).
            standardize subtracts each pixel's training-set mean and divides by its standard deviation.
            """,
        subcommands: ["scale", "standardize"],
        examples: ["normalize", "normalize standardize"])

    static let build = CommandSpec(
        name: "build",
        usage: "build dense UNITS ACTIVATION, dense UNITS ACTIVATION ...",
        summary: "a sequential network of dense layers; the input width comes from the data",
        details: """
            Each comma-separated layer is `dense UNITS [ACTIVATION]` (activation: relu, sigmoid, tanh,
            softmax, linear; default linear). The last layer must be softmax: the loss is categorical
            cross-entropy. Kernels start Glorot-uniform from the session seed, biases at zero.
            """,
        subcommands: ["dense"],
        examples: ["build dense 128 relu, dense 10 softmax", "build dense 15 relu, dense 10 softmax"])

    static let fit = CommandSpec(
        name: "fit",
        usage: "fit [epochs=N] [batch=N] [validation=F] [optimizer=adam|sgd|rmsprop] [lr=F] ...",
        summary: "train the model, with a progress line per epoch",
        details: """
            validation=F holds out the last fraction F of the training data before shuffling (Keras's
            validation_split). The training data is reshuffled every epoch from the seed. A second fit
            continues from the current weights and optimizer state. Ctrl-C stops after the current batch.
            """,
        options: [
            OptionSpec("epochs", .integer(1...100_000), default: "1", "passes over the training data"),
            OptionSpec("batch", .integer(1...1_000_000), default: "32", "samples per gradient step"),
            OptionSpec("validation", .number(0...0.99, exclusiveLower: false), default: "0", "fraction held out for validation"),
            OptionSpec(
                "optimizer", .choice(optimizers), default: "rmsprop as in Keras, or the model's current one", "the update rule"),
            OptionSpec("lr", .number(0...10, exclusiveLower: true), default: "0.01 sgd, 0.001 adam and rmsprop", "learning rate"),
            OptionSpec("momentum", .number(0...0.9999, exclusiveLower: false), default: "0", "sgd and rmsprop momentum"),
            OptionSpec("nesterov", .boolean, default: "false", "Nesterov momentum (sgd)"),
            OptionSpec("shuffle", .boolean, default: "true", "reshuffle the training data every epoch"),
            OptionSpec("seed", .integer(0...Int.max), default: "the session seed, see set seed=N", "shuffling seed"),
        ],
        examples: ["fit epochs=10 batch=32 validation=0.2 optimizer=adam", "fit epochs=5 optimizer=sgd lr=0.1 momentum=0.9"])

    static let evaluate = CommandSpec(
        name: "evaluate",
        usage: "evaluate [test|validation|train]",
        summary: "loss and accuracy on a split (the test set by default)",
        details: """
            test is the test set; validation is the part held out by the last fit's validation=;
            train is the whole training set, held-out part included (as Keras's evaluate(x_train, y_train)).
            """,
        subcommands: ["test", "validation", "train"],
        options: [OptionSpec("batch", .integer(1...1_000_000), default: "256", "samples per forward pass")],
        examples: ["evaluate", "evaluate validation"])

    static let show = CommandSpec(
        name: "show",
        usage: "show data|model|history|loss|accuracy|predictions [N]|mistakes [N]|confusion|weights",
        summary: "summaries of the data, model and history; plots of curves, predictions and weights",
        details: """
            data, model and history print text. The others write a gnuplot script PLOTS/NAME.gp
            (set plots=DIR) and render it to PLOTS/NAME.png (set format=svg for SVG) when gnuplot is
            installed: loss and accuracy per epoch (training and validation); predictions N (default
            25) on the first test digits, wrong ones in red; mistakes N (default 16), the most
            confident wrong predictions; confusion, the 10x10 test-set matrix; weights, the first
            layer's units as 28x28 pictures.
            """,
        subcommands: ["data", "model", "history", "loss", "accuracy", "predictions", "mistakes", "confusion", "weights"],
        examples: ["show data", "show loss", "show predictions 25", "show confusion"])

    static let save = CommandSpec(
        name: "save",
        usage: "save model FILE | save session FILE.dnb",
        summary: "write the model to a file, or this session's successful commands as a notebook",
        details: """
            save model writes a safetensors file: the weights as little-endian float32 tensors (Keras
            names: dense.kernel, dense.bias, dense_1.kernel, ...), with the architecture, the input
            normalization, the optimizer state and training figures in its metadata. It is written to a
            temporary file first and renamed, so a crash never leaves half a model.
            save session writes a notebook that replays the session with `dnb run FILE.dnb`.
            """,
        subcommands: ["model", "session"],
        examples: ["save model mnist.safetensors", "save session explore.dnb"],
        takesPaths: true)

    static let predict = CommandSpec(
        name: "predict",
        usage: "predict FILE | predict DIR | predict test N | predict train N",
        summary: "the digit in a picture (PNG, JPEG, BMP, GIF, PGM/PPM), a folder of them, or a data sample",
        details: """
            A picture is prepared as MNIST's digits were: transparency over white, grey, inverted when
            the ink is dark on light paper, cropped to the ink, scaled so the longer side is 20 pixels,
            centred by its centre of mass in 28x28; thin strokes on big canvases are thickened. It prints
            the prediction with the top-3 probabilities and writes PLOTS/predict-NAME.png with the
            picture, the 28x28 input the model saw and the probabilities. A folder laid out as
            DIR/<digit>/*.png also gets its accuracy.
            """,
        examples: ["predict my-digit.png", "predict drawings/", "predict test 17"],
        takesPaths: true)

    static let param = CommandSpec(
        name: "param",
        usage: "param NAME=VALUE ...",
        summary: "notebook parameters with defaults, used as $NAME",
        details: """
            `dnb run NB.dnb -p NAME=VALUE` overrides a default (as papermill does). With no
            options, lists the parameters and their values.
            """,
        examples: ["param hidden=128 epochs=10", "build dense $hidden relu, dense 10 softmax"])

    static let set = CommandSpec(
        name: "set",
        usage: "set seed=N | plots=DIR | format=png|svg | threads=N",
        summary: "session settings",
        details: "Same notebook, seed and thread count give bit-identical numbers.",
        options: [
            OptionSpec("seed", .integer(0...Int.max), default: "1", "seeds weight initialisation and shuffling"),
            OptionSpec("plots", .text, default: "plots", "folder for plot scripts and images"),
            OptionSpec("format", .choice(["png", "svg"]), default: "png", "image format of plots"),
            OptionSpec(
                "threads", .integer(1...256), default: "1", "threads for matrix products (1 is fastest for these small products)"),
        ],
        examples: ["set seed=7", "set threads=1"])

    static let run = CommandSpec(
        name: "run",
        usage: "run FILE.dnb",
        summary: "replay another notebook inside this session",
        examples: ["run notebooks/seed-a.dnb"],
        takesPaths: true)

    static let help = CommandSpec(
        name: "help",
        usage: "help [COMMAND]",
        summary: "list commands, or explain one",
        examples: ["help", "help fit"])
}
