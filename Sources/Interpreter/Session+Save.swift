import Language

/// `save model FILE | save session FILE.dnb`: its declaration and its handler.
enum SaveCommand {
    static let spec = CommandSpec(
        name: "save",
        usage: "save model FILE | save session FILE.dnb",
        summary: "write the model to a file, or this session's successful commands as a notebook",
        details: """
            save model: the extension decides the format. FILE.safetensors (dnb's own): the weights as
            little-endian float32 tensors (Keras names: dense.kernel, dense.bias, dense_1.kernel, ...),
            with the architecture, the input normalization, the optimizer state and training figures in
            its metadata. FILE.keras: a Keras 3 model that keras.saving.load_model reads, taking raw
            0-255 pixels (the normalization in front as Rescaling or Normalization), with the optimizer
            state. FILE.onnx: an ONNX graph (opset 13) from raw pixels to probabilities. Files are
            written to a temporary file first and renamed, so a crash never leaves half a model.
            save session writes a notebook that replays the session with `dnb run FILE.dnb`.
            """,
        subcommands: Form.allCases.map { SubcommandSpec($0.rawValue, [ArgumentSpec("FILE", .path)]) },
        subcommandNoun: "thing to save",
        examples: ["save model mnist.safetensors", "save model mnist.keras", "save model mnist.onnx", "save session explore.dnb"])

    static let entry = CommandEntry(spec: spec, handler: Session.save, isRecorded: false)

    enum Form: String, CaseIterable {
        case model, session
    }
}

extension Session {
    func save(_ invocation: Invocation) throws(Diagnostic) -> Outcome {
        guard let file = invocation.argument("FILE")?.word else { return .done }
        switch try invocation.form(SaveCommand.Form.self) {
        case .model:
            try saveModel(to: file, invocation: invocation)
        case .session:
            // The commands that succeeded, as a notebook that replays this session.
            guard file.text.hasSuffix(".dnb") else {
                throw Diagnostic("a notebook's name ends in .dnb. Received: \(file.text)", at: file.span)
            }
            let commands = state.successfulCommands
            let text =
                "# Saved from a dnb session: replay with `dnb run \(file.text)`.\n"
                + commands.map { $0 + "\n" }.joined()
            try write(Array(text.utf8), to: file)
            emit(.text("saved \(commands.count) command(s) to \(file.text)"))
        }
        return .done
    }
}
