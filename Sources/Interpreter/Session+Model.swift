import Datasets
import Engine
import Language

/// `save model FILE` and `load model FILE`: the model as a safetensors file
/// (see Engine/ModelFile.swift for the format), written atomically.
extension Session {
    func saveModel(to file: Word, command: Command) throws(Diagnostic) {
        let model = try requireModel(for: command)
        var metadata = ["data": state.data?.origin ?? ""]
        if let last = state.history.last {
            metadata["loss"] = Formatting.fixed(last.loss, 4)
            metadata["accuracy"] = Formatting.fixed(last.accuracy, 4)
            if let value = last.validationLoss { metadata["val_loss"] = Formatting.fixed(value, 4) }
            if let value = last.validationAccuracy { metadata["val_accuracy"] = Formatting.fixed(value, 4) }
        }
        let normalization = inputNormalization
        let epochs = model.optimizerState?.completedEpochs ?? 0
        let bytes: [UInt8]
        do {
            bytes = try ModelFile(model: model, inputScaling: Self.scaling(normalization), epochs: epochs, metadata: metadata)
                .encode()
        } catch {
            throw Diagnostic(error.description, at: file.span)
        }
        do {
            try writeFile(bytes, to: resolve(file.text))
        } catch {
            throw Diagnostic(error.description.replacingOccurrences(of: resolve(file.text), with: file.text), at: file.span)
        }
        emit(
            .text(
                "saved the model (\(model.architecture.widths), \(Formatting.grouped(model.architecture.parameterCount)) parameters, "
                    + "\(epochs) epoch(s) trained) to \(file.text) (\(Formatting.bytes(bytes.count)))"))
    }

    func loadModel(from file: Word, command: Command) throws(Diagnostic) {
        let path = resolve(file.text)
        let decoded: ModelFile
        let model: Model
        do {
            decoded = try ModelFile.decode(try readFileBytes(path))
            model = try decoded.makeModel()
        } catch let error as DatasetError {
            throw Diagnostic(error.description.replacingOccurrences(of: path, with: file.text), at: file.span)
        } catch {
            throw Diagnostic("\(file.text): \(error)", at: file.span)
        }
        state.model = model
        state.modelOrigin = "loaded from \(file.text)"
        state.modelNormalization = Self.normalization(decoded.inputScaling)
        state.history = []
        let optimizer =
            model.optimizerState.map { state in
                ", \(state.optimizer.name) after \(Formatting.grouped(state.iterations)) steps"
            } ?? ""
        emit(
            .text(
                "loaded the model from \(file.text): \(model.architecture.widths), "
                    + "\(Formatting.grouped(model.architecture.parameterCount)) parameters, "
                    + "\(decoded.epochs) epoch(s) trained\(optimizer); inputs \(decoded.inputScaling.name)d"))
        if let data = state.data, let normalization = data.normalization,
            normalization != state.modelNormalization
        {
            emit(
                .text(
                    "note: the loaded data is normalized differently from the model's inputs: run `normalize \(decoded.inputScaling.name)`"
                ))
        }
    }

    /// How the model's inputs are normalized: as when it was trained or
    /// loaded, else as the data is, else scaled to [0, 1].
    var inputNormalization: Normalization {
        state.modelNormalization ?? state.data?.normalization ?? .scale
    }

    static func scaling(_ normalization: Normalization) -> InputScaling {
        switch normalization {
        case .scale: .scale
        case .standardize(let mean, let std): .standardize(mean: mean, std: std)
        }
    }

    static func normalization(_ scaling: InputScaling) -> Normalization {
        switch scaling {
        case .scale: .scale
        case .standardize(let mean, let std): .standardize(mean: mean, std: std)
        }
    }
}
