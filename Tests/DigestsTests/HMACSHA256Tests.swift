import Digests
import Testing

@Suite struct HMACSHA256Tests {
    /// RFC 4231's test cases 1, 2 and 6 (a key longer than the block).
    @Test(arguments: [
        (
            [UInt8](repeating: 0x0b, count: 20), "Hi There",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        ),
        (
            Array("Jefe".utf8), "what do ya want for nothing?",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ),
        (
            [UInt8](repeating: 0xaa, count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
    ])
    func rfc4231(key: [UInt8], message: String, code: String) {
        #expect(HMACSHA256.hexCode(key: key, parts: [Array(message.utf8)]) == code)
    }

    /// Jupyter signs the concatenation of four frames: splitting changes nothing.
    @Test func partsAreConcatenated() {
        let key = Array("key".utf8)
        #expect(
            HMACSHA256.hexCode(key: key, parts: [Array("Hi ".utf8), [], Array("There".utf8)])
                == HMACSHA256.hexCode(key: key, parts: [Array("Hi There".utf8)]))
    }

    @Test func emptyKeyAndMessage() {
        // From Python: hmac.new(b"", b"", hashlib.sha256).hexdigest()
        #expect(
            HMACSHA256.hexCode(key: [], parts: [])
                == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func comparison() {
        #expect(HMACSHA256.equalInConstantTime([1, 2, 3], [1, 2, 3]))
        #expect(!HMACSHA256.equalInConstantTime([1, 2, 3], [1, 2, 4]))
        #expect(!HMACSHA256.equalInConstantTime([1, 2], [1, 2, 3]))
        #expect(HMACSHA256.equalInConstantTime([], []))
    }
}
