import Engine
import HostIO
import Language
import ModelFormats
import Plotting

/// `save model FILE` and `load model FILE`: the extension decides the format
/// (ModelFormats/ModelFormat.swift): `.safetensors` (dnb's own, see
/// Engine/ModelFiles/ModelFile.swift), `.keras`, `.onnx` (save) and `.h5`
/// (load). Files are written atomically; Keras files are read in a child
/// process, since libhdf5 may crash on a damaged one.
extension Session {
    func saveModel(to file: Word, invocation: Invocation) throws(Diagnostic) {
        let model = try requireModel(for: invocation)
        guard let format = ModelFormat(path: file.text), ModelFormat.writable.contains(format) else {
            let hint = ModelFormat(path: file.text) == .h5 ? " (dnb reads Keras's legacy .h5 but writes .keras)" : ""
            throw Diagnostic(
                "save model writes \(ModelFormat.list(ModelFormat.writable)) files: the extension decides the format"
                    + "\(hint). Received: \(file.text)", at: file.span)
        }
        let epochs = model.optimizerState?.completedEpochs ?? 0
        let bytes = try modelFileBytes(
            model, history: state.history, scaling: inputScaling, origin: state.data?.origin ?? "",
            carried: state.model?.carried ?? CarriedTraining(), for: file)
        try write(bytes, to: file)
        let what = format == .safetensors ? "the model" : "the model as \(format.title)"
        emit(
            .text(
                "saved \(what) (\(model.architecture.widths), \(NumberFormat.grouped(model.architecture.totalWeightCount)) parameters, "
                    + "\(epochs) epoch(s) trained) to \(file.text) (\(NumberFormat.bytes(bytes.count)))"))
    }

    /// The bytes `save model` (and fit's checkpoint) writes for `file`:
    /// the weights, the input scaling, the optimizer state and the last
    /// epoch's figures.
    func modelFileBytes(
        _ model: Model, history: [EpochMetrics], scaling: InputScaling, origin: String, carried: CarriedTraining,
        for file: Word
    ) throws(Diagnostic) -> [UInt8] {
        // The schedule and the plateau travel with the optimizer state.
        var metadata = carried.metadata
        metadata["data"] = origin
        if let last = history.last {
            metadata["loss"] = NumberFormat.fixed(last.loss, 4)
            metadata["accuracy"] = NumberFormat.fixed(last.accuracy, 4)
            if let value = last.validationLoss { metadata["val_loss"] = NumberFormat.fixed(value, 4) }
            if let value = last.validationAccuracy { metadata["val_accuracy"] = NumberFormat.fixed(value, 4) }
        }
        let format = ModelFormat(path: file.text) ?? .safetensors
        do {
            return try ModelCodec.encode(
                ModelFile(
                    model: model, inputScaling: scaling, epochs: model.optimizerState?.completedEpochs ?? 0,
                    metadata: metadata), as: format)
        } catch {
            throw Diagnostic(error.description, at: file.span)
        }
    }

    func loadModel(from file: Word, invocation: Invocation) throws(Diagnostic) {
        guard let format = ModelFormat(path: file.text), ModelFormat.readable.contains(format) else {
            let hint =
                ModelFormat(path: file.text) == .onnx
                ? " (dnb writes ONNX but does not read it back: load the .keras or .safetensors file)" : ""
            throw Diagnostic(
                "load model reads \(ModelFormat.list(ModelFormat.readable)) files: the extension decides the format"
                    + "\(hint). Received: \(file.text)", at: file.span)
        }
        let bytes = try read(file)
        if let mismatch = format.mismatch(bytes) {
            throw Diagnostic("\(file.text): \(mismatch)", at: file.span)
        }
        let decoded: ModelFile
        var notes: [String] = []
        let model: Model
        do {
            switch format {
            case .safetensors:
                decoded = try ModelFile.decode(bytes)
            case .keras, .h5, .onnx:
                let imported = try readInChild(bytes, format: format)
                decoded = imported.file
                notes = imported.notes
            }
            model = try decoded.makeModel()
        } catch {
            throw Diagnostic("\(file.text): \(error)", at: file.span)
        }
        state.model = ModelValue(model)
        state.model?.carried = CarriedTraining(metadata: decoded.metadata)
        state.modelOrigin = "loaded from \(file.text)"
        state.modelScaling = decoded.inputScaling
        state.history = []
        let optimizer =
            model.optimizerState.map { state in
                ", \(state.optimizer.name) after \(NumberFormat.grouped(state.iterations)) steps"
            } ?? ""
        emit(
            .text(
                "loaded the model from \(file.text): \(model.architecture.widths), "
                    + "\(NumberFormat.grouped(model.architecture.totalWeightCount)) parameters, "
                    + "\(decoded.epochs) epoch(s) trained\(optimizer); inputs \(decoded.inputScaling.name)d"))
        for note in notes { emit(.text("note: \(note)")) }
        if let scaling = state.data?.scaling, scaling != state.modelScaling {
            emit(
                .text(
                    "note: the loaded data is normalized differently from the model's inputs: run `normalize \(decoded.inputScaling.name)`"
                ))
        }
    }

    /// A Keras file decoded by `dnb __read-model` in a child process: a crash,
    /// a limit or a timeout there is an error here, and the session goes on.
    private func readInChild(_ bytes: [UInt8], format: ModelFormat) throws(ModelFormatError) -> KerasImport {
        let result: ProcessResult
        do {
            result = try host.readModelInChild(format: format.rawValue, bytes: bytes)
        } catch {
            throw .decoderFailed(error.description)
        }
        if result.timedOut {
            throw .decoderFailed("reading it took longer than \(modelReaderTimeout.components.seconds) s; is it damaged?")
        }
        switch result.status {
        case 0:
            return try ModelCodec.childResult(result.standardOutput)
        case 1:
            throw .malformed(result.errorText)
        case let status where status > 128:
            throw .decoderFailed(
                "the HDF5 library crashed reading it (signal \(status - 128)): the file is damaged or not what Keras writes")
        default:
            throw .decoderFailed("the child process reading it stopped with status \(result.status): \(result.errorText)")
        }
    }

    /// How the model's inputs are scaled: as when it was trained or
    /// loaded, else as the data is, else to [0, 1].
    var inputScaling: InputScaling {
        state.modelScaling ?? state.data?.scaling ?? .scale
    }
}
