import Digests
import JSON

/// One Jupyter message as it travels on a socket (messaging protocol 5.3):
///
///     [identities...] "<IDS|MSG>" signature header parent_header metadata content [buffers...]
///
/// The signature is the hex HMAC-SHA256, under the connection file's key, of
/// the four JSON frames header, parent_header, metadata and content.
public struct WireMessage: Equatable, Sendable {
    /// The routing prefix (ROUTER sockets): sent back unchanged with a reply.
    public var identities: [[UInt8]] = []
    public var header: JSONValue
    public var parentHeader: JSONValue = .emptyObject
    public var metadata: JSONValue = .emptyObject
    public var content: JSONValue
    public var buffers: [[UInt8]] = []

    public static let delimiter = Array("<IDS|MSG>".utf8)

    public init(header: JSONValue, content: JSONValue) {
        self.header = header
        self.content = content
    }

    /// The header's `msg_type` (empty when there is none).
    public var type: String { header["msg_type"]?.string ?? "" }

    /// Why incoming frames were dropped.
    public enum Refusal: Error, Equatable, Sendable {
        case noDelimiter
        case missingFrames(Int)
        case badSignature
        case replayedSignature
        case badJSON(frame: String, reason: String)
        case noMessageType

        public var description: String {
            switch self {
            case .noDelimiter: "no <IDS|MSG> delimiter frame"
            case .missingFrames(let count): "\(count) frame(s) after the delimiter, expected at least 5"
            case .badSignature: "missing or wrong HMAC signature"
            case .replayedSignature: "a signature seen before (a replayed message)"
            case .badJSON(let frame, let reason): "the \(frame) frame is not a JSON object (\(reason))"
            case .noMessageType: "the header has no msg_type"
            }
        }
    }
}

/// Signs outgoing messages and checks incoming ones with the connection
/// file's key (no key: nothing is signed or checked, as Jupyter does).
public struct MessageSigner: Sendable {
    let key: [UInt8]
    /// Signatures already accepted: a message sent twice is refused.
    private var seen: Set<[UInt8]> = []
    /// `seen` in the order accepted, so the oldest can be forgotten.
    private var seenOrder: [[UInt8]] = []
    /// Most signatures remembered (jupyter_client's `digest_history_size`);
    /// past it the oldest tenth is forgotten, so a long session's memory stays bounded.
    static let rememberedSignatures = 65_536

    public init(key: [UInt8]) { self.key = key }

    public func signature(of parts: [[UInt8]]) -> [UInt8] {
        key.isEmpty ? [] : Array(HMACSHA256.hexCode(key: key, parts: parts).utf8)
    }

    private mutating func remember(_ signature: [UInt8]) {
        seen.insert(signature)
        seenOrder.append(signature)
        guard seenOrder.count > Self.rememberedSignatures else { return }
        let forgotten = Self.rememberedSignatures / 10
        for old in seenOrder[..<forgotten] { seen.remove(old) }
        seenOrder.removeFirst(forgotten)
    }

    /// How many signatures it remembers now.
    var rememberedCount: Int { seen.count }

    /// The frames of `message`, signed.
    public func frames(of message: WireMessage) -> [[UInt8]] {
        let parts = [message.header, message.parentHeader, message.metadata, message.content].map {
            Array($0.serialized.utf8)
        }
        return message.identities + [WireMessage.delimiter, signature(of: parts)] + parts + message.buffers
    }

    /// The message in `frames`, if its signature is right and its JSON parses:
    /// the kernel's one decoding of incoming frames (and the fuzzing harness's).
    public mutating func message(from frames: [[UInt8]]) throws(WireMessage.Refusal) -> WireMessage {
        guard let split = frames.firstIndex(of: WireMessage.delimiter) else { throw .noDelimiter }
        let rest = frames[(split + 1)...]
        guard rest.count >= 5 else { throw .missingFrames(rest.count) }
        let given = rest[split + 1]
        let parts = Array(rest[(split + 2)...(split + 5)])
        if !key.isEmpty {
            guard HMACSHA256.equalInConstantTime(given, signature(of: parts)) else { throw .badSignature }
            guard !seen.contains(given) else { throw .replayedSignature }
            remember(given)
        }
        var values: [JSONValue] = []
        for (name, part) in zip(["header", "parent_header", "metadata", "content"], parts) {
            let value: JSONValue
            do {
                value = try JSONValue.parse(part)
            } catch {
                throw .badJSON(frame: name, reason: "byte \(error.offset): \(error.reason)")
            }
            guard value.isObject else { throw .badJSON(frame: name, reason: "not an object") }
            values.append(value)
        }
        var message = WireMessage(header: values[0], content: values[3])
        guard !message.type.isEmpty else { throw .noMessageType }
        message.identities = Array(frames[..<split])
        message.parentHeader = values[1]
        message.metadata = values[2]
        message.buffers = Array(rest.dropFirst(5))
        return message
    }
}
