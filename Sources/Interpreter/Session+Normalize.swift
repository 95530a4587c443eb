import Datasets
import Language

extension Session {
    /// `normalize [scale|standardize]`: records how images become features
    /// (the engine converts batch by batch; for standardize, the training
    /// set's per-pixel statistics are computed here).
    func normalize(_ command: Command) throws(Diagnostic) {
        let words = try expectWords(command, atMost: 1, usage: CommandSpecs.normalize.usage)
        _ = try options(command)
        let mode =
            try words.first.map { word throws(Diagnostic) in
                try choose(word, from: CommandSpecs.normalize.subcommands, what: "normalization")
            } ?? "scale"
        var data = try requireData(for: command)
        let width = data.width
        let normalization: Normalization =
            mode == "standardize" ? Normalization.standardizing(data.train.pixels, width: width) : .scale
        data.normalization = normalization
        state.data = data
        let sets = "\(Formatting.grouped(data.train.count)) training and \(Formatting.grouped(data.test.count)) test images"
        switch mode {
        case "standardize":
            emit(.text("standardized \(sets) to \(width) features (per-pixel mean and standard deviation of the training set)"))
        default:
            emit(.text("normalized \(sets) to \(width) features in [0, 1] (x / 255)"))
        }
    }
}
