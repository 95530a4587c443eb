import Engine
import Language
import Plotting

/// `normalize [scale|standardize]`: its declaration and its handler.
enum NormalizeCommand {
    static let spec = CommandSpec(
        name: "normalize",
        usage: "normalize [scale|standardize]",
        summary: "use each image as 784 features scaled to [0, 1] (or standardized)",
        details: """
            scale (the default) divides every pixel by 255, as in Keras tutorials (x / 255.0).
            standardize subtracts each pixel's training-set mean and divides by its standard deviation.
            """,
        subcommands: [SubcommandSpec("scale"), SubcommandSpec("standardize")], defaultSubcommand: "scale",
        subcommandNoun: "normalization",
        examples: ["normalize", "normalize standardize"])

    static let entry = CommandEntry(spec: spec, handler: Session.normalize)
}

extension Session {
    /// Records how images become features (the engine converts batch by
    /// batch; for standardize, the training set's per-pixel statistics are computed here).
    func normalize(_ invocation: Invocation) throws(Diagnostic) -> Outcome {
        var data = try requireData(for: invocation)
        let width = data.width
        let standardize = invocation.subcommand == "standardize"
        data.scaling = standardize ? InputScaling.standardizing(data.train.pixels, width: width) : .scale
        state.data = data
        let sets = "\(NumberFormat.grouped(data.train.count)) training and \(NumberFormat.grouped(data.test.count)) test images"
        if standardize {
            emit(.text("standardized \(sets) to \(width) features (per-pixel mean and standard deviation of the training set)"))
        } else {
            emit(.text("normalized \(sets) to \(width) features in [0, 1] (x / 255)"))
        }
        return .done
    }
}
