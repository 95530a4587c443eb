/// Why a model file could not be read (or a model could not be written).
///
/// Each case carries what was wrong; ``description`` is the one place it
/// becomes a sentence. It never names the file: the caller, who knows the
/// path, prefixes it (`mnist.safetensors: not a dnb model: ...`).
public enum ModelFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file ends before the header or the tensor data it promises.
    case truncated(expectedBytes: Int, actualBytes: Int)
    /// Not a safetensors file at all: the header length, its UTF-8 or its JSON is wrong.
    case notSafetensors(reason: String)
    /// A well-formed safetensors file that dnb did not write.
    case notDnbModel(reason: String)
    /// Written by a dnb whose model format is newer than this one's.
    case unsupportedVersion(found: String)
    /// dnb's metadata entry `key` is missing or wrong.
    case badMetadata(key: String, reason: String)
    /// Tensor `name` is missing, unexpected, or has a wrong dtype, shape, offsets or values.
    case badTensor(name: String, reason: String)
    /// `encode` refused the values it was given (say, NaN weights after a diverged fit).
    case cannotSave(reason: String)

    public var description: String {
        switch self {
        case .truncated(let expected, let actual):
            "the file is truncated: it should be \(expected) bytes but has \(actual) (was it copied or saved completely?)"
        case .notSafetensors(let reason):
            "not a model file (dnb models are safetensors files): \(reason)"
        case .notDnbModel(let reason):
            "not a dnb model: \(reason) — was it saved by another tool?"
        case .unsupportedVersion(let found):
            "this model file has format version \(found), but this dnb reads version \(ModelFile.formatVersion): "
                + "update dnb to load it"
        case .badMetadata(let key, let reason):
            "damaged model file: metadata \"\(key)\" \(reason)"
        case .badTensor(let name, let reason):
            "damaged model file: tensor \"\(name)\" \(reason)"
        case .cannotSave(let reason):
            "cannot save the model: \(reason)"
        }
    }
}
