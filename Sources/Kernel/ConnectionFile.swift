import JSON

/// The connection file Jupyter writes for a kernel it starts: where to bind
/// the five sockets and the key that signs every message.
///
/// `{"transport": "tcp", "ip": "127.0.0.1", "shell_port": 53794, ...,
///   "key": "a0436f6c-…", "signature_scheme": "hmac-sha256"}`
public struct ConnectionFile: Equatable, Sendable {
    public var transport: String
    public var ip: String
    public var shellPort: Int
    public var controlPort: Int
    public var iopubPort: Int
    public var stdinPort: Int
    public var heartbeatPort: Int
    /// The HMAC key's bytes (its UTF-8 text); empty means messages are not signed.
    public var key: [UInt8]

    /// Reads the file's JSON. Anything missing or of the wrong type is named.
    public init(json bytes: [UInt8]) throws(KernelError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw .badConnectionFile("not JSON (byte \(error.offset): \(error.reason))")
        }
        func text(_ key: String, default fallback: String? = nil) throws(KernelError) -> String {
            if let text = value[key]?.string { return text }
            if let fallback, value[key] == nil { return fallback }
            throw .badConnectionFile("\"\(key)\" must be a string")
        }
        func port(_ key: String) throws(KernelError) -> Int {
            guard let port = value[key]?.integer, (0...65535).contains(port) else {
                throw .badConnectionFile("\"\(key)\" must be a port number from 0 to 65535")
            }
            return port
        }
        transport = try text("transport", default: "tcp")
        guard transport == "tcp" || transport == "ipc" else {
            throw .badConnectionFile("transport \"\(transport)\" is not tcp or ipc")
        }
        ip = try text("ip", default: "127.0.0.1")
        shellPort = try port("shell_port")
        controlPort = try port("control_port")
        iopubPort = try port("iopub_port")
        stdinPort = try port("stdin_port")
        heartbeatPort = try port("hb_port")
        key = Array(try text("key", default: "").utf8)
        let scheme = try text("signature_scheme", default: "hmac-sha256")
        guard scheme == "hmac-sha256" else {
            throw .badConnectionFile("signature_scheme \"\(scheme)\" is not supported (only hmac-sha256)")
        }
    }

    /// The ZeroMQ endpoint of a port: `tcp://127.0.0.1:53794`, or `ipc://IP-53794`
    /// (Jupyter's naming of ipc socket files).
    func endpoint(_ port: Int) -> String {
        transport == "ipc" ? "ipc://\(ip)-\(port)" : "tcp://\(ip):\(port)"
    }
}
