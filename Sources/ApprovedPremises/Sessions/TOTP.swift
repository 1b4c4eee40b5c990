import Crypto
import Foundation

/// Time-based one-time passwords as RFC 6238 defines them and authenticator apps make them:
/// HMAC-SHA1 of the 30-second step since the Unix epoch, truncated to six digits (RFC 4226).
public enum TOTP {
    /// Seconds in a step.
    public static let stepSeconds: Int64 = 30
    /// Digits in a code.
    public static let digits = 6

    /// The step a moment falls in.
    public static func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(stepSeconds)).rounded(.down))
    }

    /// The code of a step for a secret, zero-padded to six digits.
    public static func code(secret: Data, step: Int64) -> String {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let value =
            (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
        let code = String(value % 1_000_000)
        return String(repeating: "0", count: digits - code.count) + code
    }

    /// The step among `step - 1 ... step + 1` (a clock one step off either way) whose code this
    /// is, compared in constant time; nil when none.
    public static func matchingStep(_ code: String, secret: Data, around step: Int64) -> Int64? {
        var found: Int64? = nil
        for candidate in (step - 1)...(step + 1) {
            let expected = Array(Self.code(secret: secret, step: candidate).utf8)
            let given = Array(code.utf8)
            guard expected.count == given.count else { continue }
            var difference: UInt8 = 0
            for index in expected.indices { difference |= expected[index] ^ given[index] }
            if difference == 0 { found = candidate }
        }
        return found
    }

    /// The `otpauth://` URI an authenticator app reads (typed, pasted or as a QR code).
    public static func uri(secret: Data, account: String, issuer: String) -> String {
        let label = "\(issuer):\(account)".addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~")))!
        let issuerQuery = issuer.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(issuerQuery)&algorithm=SHA1&digits=6&period=30"
    }
}

/// RFC 4648 base32 without padding, as authenticator apps take a secret.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// The bytes in base32.
    public static func encode(_ data: Data) -> String {
        var output = [UInt8]()
        var buffer: UInt32 = 0
        var bits = 0
        for byte in data {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes of base32 text (spaces and case ignored); nil when it is not base32.
    public static func decode(_ text: String) -> Data? {
        var output = Data()
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.uppercased().utf8 where character != UInt8(ascii: " ") && character != UInt8(ascii: "=") {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return output
    }
}
