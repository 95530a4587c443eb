import Engine

extension FuzzTargets {
    /// `load model FILE`: the safetensors header, the tensors, and the model
    /// built from them (what the command does next).
    public static let modelFile = FuzzTarget(
        name: "model-file", summary: "a model file (ModelFile.decode, makeModel)",
        maximumLength: 1 << 20, maximumExpandedLength: 1 << 20, dictionary: "model.dict"
    ) { bytes in
        decodeModel(bytes)
    }

    /// The model file's JSON header alone: the input becomes the header of
    /// an otherwise empty safetensors file, so every mutation lands in the
    /// JSON (`__metadata__`, the architecture and optimizer strings, the
    /// tensor table) rather than in a length field.
    public static let modelJSON = FuzzTarget(
        name: "model-json", summary: "a model file's JSON header (ModelFile.decode)",
        maximumLength: 1 << 20, maximumExpandedLength: 1 << 20, dictionary: "model.dict"
    ) { bytes in
        decodeModel(NPZBuilder.littleEndian(bytes.count, 8) + bytes)
    }

    static func decodeModel(_ bytes: [UInt8]) -> FuzzOutcome {
        do {
            let file = try ModelFile.decode(bytes)
            do {
                _ = try file.makeModel()
            } catch {
                return .refused(String(describing: error))
            }
            return .accepted
        } catch {
            return .refused(String(describing: error))
        }
    }
}
