import Digests
import Engine
import JSON
import Testing

@testable import Kernel

@Suite struct WireMessageTests {
    let key = Array("a0436f6c-1916-498b-8eb9-e81ab9368e84".utf8)

    func frames(signedWith signingKey: [UInt8], header: String = #"{"msg_type":"kernel_info_request","msg_id":"1"}"#)
        -> [[UInt8]]
    {
        let parts = [header, "{}", "{}", "{}"].map { Array($0.utf8) }
        let signature = Array(HMACSHA256.hexCode(key: signingKey, parts: parts).utf8)
        return [Array("client".utf8), WireMessage.delimiter, signature] + parts
    }

    @Test func signedMessageIsRead() throws {
        var signer = MessageSigner(key: key)
        let message = try signer.message(from: frames(signedWith: key))
        #expect(message.type == "kernel_info_request")
        #expect(message.identities == [Array("client".utf8)])
        #expect(message.buffers.isEmpty)
    }

    @Test func wrongKeyIsRefused() {
        var signer = MessageSigner(key: key)
        #expect(throws: WireMessage.Refusal.badSignature) {
            try signer.message(from: frames(signedWith: Array("another key".utf8)))
        }
    }

    @Test func missingSignatureIsRefused() {
        var signer = MessageSigner(key: key)
        var unsigned = frames(signedWith: key)
        unsigned[2] = []
        #expect(throws: WireMessage.Refusal.badSignature) { try signer.message(from: unsigned) }
    }

    @Test func replayedMessageIsRefused() throws {
        var signer = MessageSigner(key: key)
        let message = frames(signedWith: key)
        _ = try signer.message(from: message)
        #expect(throws: WireMessage.Refusal.replayedSignature) { try signer.message(from: message) }
    }

    /// A long session's memory of signatures stays bounded (as jupyter_client's
    /// digest history): past the limit the oldest tenth is forgotten, the newest kept.
    @Test func rememberedSignaturesStayBounded() throws {
        var signer = MessageSigner(key: key)
        let limit = MessageSigner.rememberedSignatures
        var last: [[UInt8]] = []
        for n in 0...limit {
            last = frames(signedWith: key, header: #"{"msg_type":"kernel_info_request","msg_id":"\#(n)"}"#)
            _ = try signer.message(from: last)
        }
        #expect(signer.rememberedCount == limit + 1 - limit / 10)
        #expect(throws: WireMessage.Refusal.replayedSignature) { try signer.message(from: last) }
    }

    /// Whatever arrives, the signer answers with a refusal, never a crash.
    @Test(arguments: [
        [[UInt8]](),
        [Array("no delimiter".utf8)],
        [WireMessage.delimiter],
        [WireMessage.delimiter, [], Array("{}".utf8)],
        [WireMessage.delimiter, [], Array("{".utf8), Array("{}".utf8), Array("{}".utf8), Array("{}".utf8)],
        [WireMessage.delimiter, [], Array("[]".utf8), Array("{}".utf8), Array("{}".utf8), Array("{}".utf8)],
        [WireMessage.delimiter, [], Array("{}".utf8), Array("{}".utf8), Array("{}".utf8), Array("{}".utf8)],
        [WireMessage.delimiter, [], [0xFF, 0xFE], Array("{}".utf8), Array("{}".utf8), Array("{}".utf8)],
    ])
    func malformedFramesAreRefused(frames: [[UInt8]]) {
        var unsigned = MessageSigner(key: [])
        #expect(throws: WireMessage.Refusal.self) { try unsigned.message(from: frames) }
    }

    @Test func outgoingFramesVerify() throws {
        let signer = MessageSigner(key: key)
        var message = WireMessage(header: .object(["msg_type": .string("status")]), content: .emptyObject)
        message.identities = [Array("topic".utf8)]
        let sent = signer.frames(of: message)
        var reader = MessageSigner(key: key)
        let read = try reader.message(from: sent)
        #expect(read.type == "status")
        #expect(read.content == .emptyObject)
    }
}

@Suite struct ConnectionFileTests {
    @Test func readsWhatJupyterWrites() throws {
        let text = """
            {"shell_port": 53794, "iopub_port": 53795, "stdin_port": 53796, "control_port": 53797,
             "hb_port": 53798, "ip": "127.0.0.1", "key": "secret", "transport": "tcp",
             "signature_scheme": "hmac-sha256", "kernel_name": "dnb"}
            """
        let file = try ConnectionFile(json: Array(text.utf8))
        #expect(file.shellPort == 53794)
        #expect(file.key == Array("secret".utf8))
        #expect(file.endpoint(file.iopubPort) == "tcp://127.0.0.1:53795")
    }

    @Test(arguments: [
        ("", "not JSON"),
        (#"{"shell_port": 1}"#, "\"control_port\" must be a port number"),
        (
            #"{"shell_port":1,"control_port":2,"iopub_port":3,"stdin_port":4,"hb_port":5,"signature_scheme":"hmac-md5"}"#,
            "only hmac-sha256"
        ),
        (#"{"shell_port": 70000}"#, "\"shell_port\" must be a port number from 0 to 65535"),
    ])
    func badFilesSayWhy(text: String, reason: String) {
        do {
            _ = try ConnectionFile(json: Array(text.utf8))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.contains(reason), "\(error.description)")
        }
    }
}

@Suite struct KernelSpecTests {
    @Test func kernelJSONStartsThisBinaryWithTheConnectionFile() throws {
        let spec = try JSONValue.parse(KernelSpec.kernelJSON(executable: "/opt/dnb"))
        #expect(
            spec["argv"] == .array(["/opt/dnb", "kernel", "-f", "{connection_file}"].map(JSONValue.string)))
        #expect(spec["display_name"]?.string == "dnb")
        #expect(spec["language"]?.string == "dnb")
        #expect(spec["interrupt_mode"]?.string == "signal")
    }
}
