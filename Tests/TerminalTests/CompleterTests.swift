import Testing

@testable import Terminal

/// fit's options as the table declares them, each with its `=`.
enum FitOptionNames {
    static let all = [
        "epochs=", "batch=", "validation=", "optimizer=", "lr=", "momentum=", "nesterov=", "shuffle=", "seed=", "augment=",
        "shift=", "rotate=", "zoom=", "zoom_width=", "shear_x=", "shear_y=", "elastic=", "weight_decay=", "label_smoothing=",
        "name=",
    ]
}

@Suite struct CompleterTests {
    let completer = Completer(parameterNames: ["hidden", "epochs"]) { directory in
        switch directory {
        case "": [("notebooks", true), ("README.md", false), (".hidden", false)]
        case "notebooks/": [("mnist.dnb", false), ("seed-a.dnb", false)]
        default: []
        }
    }

    @Test(arguments: [
        ("", "sh", ["show"]),
        ("", "", ["load", "normalize", "build", "fit", "evaluate", "show", "predict", "save", "param", "set", "run", "help"]),
        ("load ", "", ["mnist", "idx", "npz", "model", "path="]),
        ("show ", "d", ["data"]),
        ("fit ", "ep", ["epochs="]),
        ("fit epochs=3 ", "e", ["elastic="]),  // epochs= is given already
        ("fit optimizer=", "a", ["adam"]),
        ("fit shuffle=", "", ["true", "false"]),
        // fit's own options before its first comma, its callbacks after.
        ("fit ", "", FitOptionNames.all),
        ("fit epochs=3, ", "", ["early_stopping", "reduce_lr", "checkpoint", "schedule"]),
        ("fit epochs=3, early_stopping ", "pa", ["patience="]),
        (
            "fit epochs=3, early_stopping patience=2 ", "",
            [
                "monitor=", "min_delta=", "mode=", "restore_best_weights=", "start_from_epoch=",
            ]
        ),
        ("fit epochs=3, early_stopping monitor=", "val", ["val_loss", "val_accuracy"]),
        ("fit epochs=3, reduce_lr factor=0.5, ", "ch", ["checkpoint"]),
        ("fit epochs=3, schedule ", "c", ["cosine"]),
        ("fit epochs=3, checkpoint ", "note", ["notebooks/"]),
        ("fit epochs=3, early_stopping, ", "ep", []),
        ("show compare ", "", ["metric="]),
        ("show compare metric=", "val", ["val_loss", "val_accuracy"]),
        ("show runs ", "", []),
        (
            "build ", "",
            ["dense", "conv", "maxpool", "flatten", "dropout", "batchnorm", "activation", "avgpool", "globalavgpool"]
        ),
        ("build dense 128 ", "re", ["relu"]),
        (
            "build dense 128 relu, ", "",
            ["dense", "conv", "maxpool", "flatten", "dropout", "batchnorm", "activation", "avgpool", "globalavgpool"]
        ),
        ("build dense 128 relu, dense 10 ", "so", ["softmax"]),
        ("build conv 32 3x3 ", "", ["relu", "sigmoid", "tanh", "softmax", "linear", "padding=", "stride="]),
        ("build conv 32 3x3 relu padding=same ", "", ["stride="]),
        ("build conv 32 3x3 relu padding=", "", ["valid", "same"]),
        ("build conv 32 3x3 relu, maxpool 2, ", "fl", ["flatten"]),
        ("build conv 32 3x3 relu, maxpool 2 ", "", []),
        ("help ", "ev", ["evaluate"]),
        ("run ", "", ["notebooks/", "README.md"]),
        ("run ", "notebooks/s", ["notebooks/seed-a.dnb"]),
        ("load npz ", "not", ["notebooks/"]),
        ("load mnist path=", "note", ["notebooks/"]),
        ("build dense ", "$h", ["$hidden"]),
        ("frobnicate ", "", []),
    ])
    func completes(before: String, word: String, expected: [String]) {
        #expect(completer.candidates(before: before, word: word) == expected)
    }
}
