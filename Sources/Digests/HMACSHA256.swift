import COpenSSL

/// HMAC-SHA256 (RFC 2104 over FIPS 180-4), computed by OpenSSL's libcrypto:
/// the signature of every Jupyter message.
public enum HMACSHA256 {
    /// The 32-byte code of the concatenation of `parts` under `key`.
    public static func code(key: [UInt8], parts: [[UInt8]]) -> [UInt8] {
        var message: [UInt8] = []
        for part in parts { message += part }
        // An empty array may have no address; HMAC wants one all the same, so
        // each buffer gets a spare byte that the lengths passed leave out.
        let keyBuffer = key + [0]
        let messageBuffer = message + [0]
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        keyBuffer.withUnsafeBytes { keyBytes in
            messageBuffer.withUnsafeBufferPointer { input in
                digest.withUnsafeMutableBufferPointer { output in
                    _ = HMAC(
                        EVP_sha256(), keyBytes.baseAddress, Int32(key.count), input.baseAddress, message.count,
                        output.baseAddress, &length)
                }
            }
        }
        return Array(digest.prefix(Int(length)))
    }

    /// The code as lower-case hex, as Jupyter's wire format carries it.
    public static func hexCode(key: [UInt8], parts: [[UInt8]]) -> String {
        hexString(code(key: key, parts: parts))
    }

    /// Whether two byte strings are equal, in time that depends on their
    /// length only (OpenSSL's `CRYPTO_memcmp`), so a forger learns nothing
    /// from how long a wrong signature took to refuse.
    public static func equalInConstantTime(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { left in
            b.withUnsafeBytes { right in CRYPTO_memcmp(left.baseAddress, right.baseAddress, a.count) == 0 }
        }
    }
}
