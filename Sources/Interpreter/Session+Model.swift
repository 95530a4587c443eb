import Engine
import Language
import Plotting

/// `save model FILE` and `load model FILE`: the model as a safetensors file
/// (see Engine/ModelFile.swift for the format), written atomically.
extension Session {
    func saveModel(to file: Word, invocation: Invocation) throws(Diagnostic) {
        let model = try requireModel(for: invocation)
        let epochs = model.optimizerState?.completedEpochs ?? 0
        let bytes = try modelFileBytes(
            model, history: state.history, scaling: inputScaling, origin: state.data?.origin ?? "",
            carried: state.model?.carried ?? CarriedTraining(), for: file)
        try write(bytes, to: file)
        emit(
            .text(
                "saved the model (\(model.architecture.widths), \(NumberFormat.grouped(model.architecture.totalWeightCount)) parameters, "
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
        do {
            return try ModelFile(
                model: model, inputScaling: scaling, epochs: model.optimizerState?.completedEpochs ?? 0,
                metadata: metadata
            ).encode()
        } catch {
            throw Diagnostic(error.description, at: file.span)
        }
    }

    func loadModel(from file: Word, invocation: Invocation) throws(Diagnostic) {
        let bytes = try read(file)
        let decoded: ModelFile
        let model: Model
        do {
            decoded = try ModelFile.decode(bytes)
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
        if let scaling = state.data?.scaling, scaling != state.modelScaling {
            emit(
                .text(
                    "note: the loaded data is normalized differently from the model's inputs: run `normalize \(decoded.inputScaling.name)`"
                ))
        }
    }

    /// How the model's inputs are scaled: as when it was trained or
    /// loaded, else as the data is, else to [0, 1].
    var inputScaling: InputScaling {
        state.modelScaling ?? state.data?.scaling ?? .scale
    }
}
