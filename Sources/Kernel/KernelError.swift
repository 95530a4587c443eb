/// Why the kernel could not start or a message was refused.
public enum KernelError: Error, Equatable, Sendable {
    /// The connection file is not what Jupyter writes.
    case badConnectionFile(String)
    /// A ZeroMQ call failed (the call and libzmq's reason).
    case socket(String)
    /// A kernelspec could not be written.
    case install(String)

    /// The message, without the file's name: the caller adds it.
    public var description: String {
        switch self {
        case .badConnectionFile(let reason): "not a Jupyter connection file: \(reason)"
        case .socket(let reason): reason
        case .install(let reason): reason
        }
    }
}
