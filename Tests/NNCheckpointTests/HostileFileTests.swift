import NNCheckpoint
import Testing

/// A corpus of hostile files: each is rejected with its typed error, and nothing crashes.
@Suite struct HostileFileTests {
    enum Kind: String { case truncated, header, tensor, checksum }

    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let bytes: [UInt8]
        let kind: Kind
        let message: String
        var description: String { name }
    }

    static let valid: [UInt8] = try! Checkpoint(
        tensors: ["a": StoredTensor(shape: [2, 2], values: [1, 2, 3, 4]), "b": StoredTensor(shape: [3], values: [5, 6, 7])],
        metadata: ["format": "nnkit"]).encoded()
    static let eight = [UInt8](repeating: 0, count: 8)
    static let f32 = "\"dtype\":\"F32\""

    static let cases: [Case] = [
        Case(name: "empty file", bytes: [], kind: .truncated, message: "8-byte header length"),
        Case(name: "seven bytes", bytes: [8, 0, 0, 0, 0, 0, 0], kind: .truncated, message: "8-byte header length"),
        Case(name: "huge header length", bytes: Hostile.file(header: "{}", declaredLength: .max), kind: .header, message: "exceeds"),
        Case(name: "header length over the cap", bytes: Hostile.file(header: "{}", declaredLength: 100_000_001), kind: .header, message: "exceeds"),
        Case(name: "header longer than the file", bytes: Hostile.file(header: "{}", declaredLength: 64), kind: .truncated, message: "only 2 follow"),
        Case(name: "truncated inside the header", bytes: Array(valid[..<20]), kind: .truncated, message: "declares"),
        Case(name: "truncated inside the data", bytes: Array(valid.dropLast(3)), kind: .header, message: "the tensors need"),
        Case(name: "trailing bytes", bytes: valid + [0, 0, 0, 0], kind: .header, message: "not described"),
        Case(name: "header is not an object", bytes: Hostile.file(header: "[1, 2]  "), kind: .header, message: "starting with '{'"),
        Case(name: "invalid JSON", bytes: Hostile.file(header: "{\"a\":{\"dtype\":\"F32\",}}"), kind: .header, message: "expected a string key"),
        Case(name: "unterminated string", bytes: Hostile.file(header: "{\"abc"), kind: .header, message: "unterminated string"),
        Case(name: "invalid UTF-8 in a name", bytes: Hostile.file(headerBytes: Array("{\"a".utf8) + [0xC3, 0x28] + Array("\":{}}".utf8)), kind: .header, message: "invalid UTF-8"),
        Case(name: "overlong UTF-8", bytes: Hostile.file(headerBytes: Array("{\"a".utf8) + [0xC0, 0xAF] + Array("\":{}}".utf8)), kind: .header, message: "invalid UTF-8"),
        Case(name: "lone surrogate escape", bytes: Hostile.file(header: "{\"\\ud800\":{}}"), kind: .header, message: "surrogate"),
        Case(name: "control character in a string", bytes: Hostile.file(header: "{\"a\u{01}\":{}}"), kind: .header, message: "control character"),
        Case(name: "duplicate names", bytes: Hostile.file(entries: [("a", "F32", [1], 0, 4), ("a", "F32", [1], 4, 8)], data: eight), kind: .header, message: "duplicate key"),
        Case(name: "unknown dtype", bytes: Hostile.file(entries: [("a", "F33", [1], 0, 4)], data: [0, 0, 0, 0]), kind: .tensor, message: "unknown dtype"),
        Case(name: "known but unsupported dtype", bytes: Hostile.file(entries: [("a", "I64", [1], 0, 8)], data: eight), kind: .tensor, message: "cannot be loaded"),
        Case(name: "negative dimension", bytes: Hostile.file(entries: [("a", "F32", [-1], 0, 4)], data: [0, 0, 0, 0]), kind: .tensor, message: "non-negative"),
        Case(name: "overflowing shape", bytes: Hostile.file(entries: [("a", "F32", [1 << 40, 1 << 40], 0, 4)], data: [0, 0, 0, 0]), kind: .tensor, message: "overflows"),
        Case(name: "overflowing byte count", bytes: Hostile.file(entries: [("a", "F64", [1 << 61], 0, 8)], data: eight), kind: .tensor, message: "more than Int.max"),
        Case(name: "shape does not match the byte range", bytes: Hostile.file(entries: [("a", "F32", [3], 0, 8)], data: eight), kind: .tensor, message: "needs 12 bytes"),
        Case(name: "offsets do not start at zero", bytes: Hostile.file(entries: [("a", "F32", [1], 4, 8)], data: eight), kind: .tensor, message: "should start at 0"),
        Case(name: "overlapping offsets", bytes: Hostile.file(entries: [("a", "F32", [2], 0, 8), ("b", "F32", [1], 4, 8)], data: eight), kind: .tensor, message: "overlaps"),
        Case(name: "gap between tensors", bytes: Hostile.file(entries: [("a", "F32", [1], 0, 4), ("b", "F32", [1], 8, 12)], data: eight + [0, 0, 0, 0]), kind: .tensor, message: "gap"),
        Case(name: "offsets beyond the data", bytes: Hostile.file(entries: [("a", "F32", [4], 0, 16)], data: eight), kind: .header, message: "need 16 data bytes"),
        Case(name: "end before begin", bytes: Hostile.file(entries: [("a", "F32", [0], 8, 4)], data: eight), kind: .tensor, message: "end before they begin"),
        Case(name: "three offsets", bytes: Hostile.file(header: "{\"a\":{\(f32),\"shape\":[1],\"data_offsets\":[0,4,8]}}", data: [0, 0, 0, 0]), kind: .tensor, message: "[begin, end]"),
        Case(name: "missing dtype", bytes: Hostile.file(header: "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0]), kind: .tensor, message: "needs dtype"),
        Case(name: "unexpected entry key", bytes: Hostile.file(header: "{\"a\":{\(f32),\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", data: [0, 0, 0, 0]), kind: .tensor, message: "unexpected key"),
        Case(name: "fractional dimension", bytes: Hostile.file(header: "{\"a\":{\(f32),\"shape\":[1.0],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0]), kind: .tensor, message: "non-negative integers"),
        Case(name: "offset too large for Int", bytes: Hostile.file(header: "{\"a\":{\(f32),\"shape\":[1],\"data_offsets\":[0,99999999999999999999]}}"), kind: .header, message: "does not fit"),
        Case(name: "entry is not an object", bytes: Hostile.file(header: "{\"a\":[1,2]}"), kind: .tensor, message: "must be an object"),
        Case(name: "metadata is not an object", bytes: Hostile.file(header: "{\"__metadata__\":\"x\"}"), kind: .header, message: "__metadata__ must be"),
        Case(name: "metadata value is not a string", bytes: Hostile.file(header: "{\"__metadata__\":{\"epoch\":3}}"), kind: .header, message: "must be a string"),
        Case(name: "deeply nested JSON", bytes: Hostile.file(header: "{\"a\":" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"), kind: .header, message: "nested deeper"),
        Case(name: "NaN literal", bytes: Hostile.file(header: "{\"a\":NaN}"), kind: .header, message: "unexpected character"),
        Case(name: "data after the JSON value", bytes: Hostile.file(header: "{} {}"), kind: .header, message: "after the JSON value"),
        Case(name: "wrong checksum", bytes: { var b = valid; b[b.count - 1] ^= 0x01; return b }(), kind: .checksum, message: "does not match its checksum"),
    ]

    @Test(arguments: cases)
    func rejectsWithTypedError(_ example: Case) {
        do {
            _ = try SafeTensors.decode(example.bytes, path: "hostile.safetensors")
            Issue.record("\(example.name): accepted")
        } catch {
            let kind: Kind = switch error {
            case .truncated: .truncated
            case .invalidHeader: .header
            case .invalidTensor: .tensor
            case .checksumMismatch: .checksum
            default: .header
            }
            #expect(kind == example.kind, "\(example.name): \(error)")
            #expect(error.description.contains(example.message), "\(example.name): \(error)")
            #expect(error.description.contains("hostile.safetensors"))
        }
    }

    @Test func namesTheTensorAndByteOffset() {
        let bytes = Hostile.file(entries: [("layer.weight", "F32", [3], 0, 8)], data: Self.eight)
        do {
            _ = try SafeTensors.decode(bytes, path: "f")
        } catch {
            guard case let .invalidTensor(_, name, offset, _) = error else { Issue.record("\(error)"); return }
            #expect(name == "layer.weight")
            #expect(offset == 8)
        }
        let overlapping = Hostile.file(entries: [("a", "F32", [2], 0, 8), ("b", "F32", [1], 4, 8)], data: Self.eight)
        do {
            _ = try SafeTensors.decode(overlapping, path: "f")
        } catch {
            guard case let .invalidTensor(_, name, offset, _) = error else { Issue.record("\(error)"); return }
            let headerLength = overlapping[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            #expect(name == "b")
            #expect(offset == 8 + headerLength + 4)
        }
    }

    @Test func everyTruncationIsRejected() {
        for length in 0..<Self.valid.count {
            #expect(throws: CheckpointError.self, "length \(length)") { try SafeTensors.decode(Array(Self.valid[..<length])) }
        }
    }

    @Test func everySingleBitFlipInTheDataIsCaughtAndNoneCrashes() {
        let headerEnd = 8 + Self.valid[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        var rejectedInHeader = 0
        for index in 0..<Self.valid.count {
            for bit in 0..<8 {
                var bytes = Self.valid
                bytes[index] ^= UInt8(1 << bit)
                let rejected = (try? SafeTensors.decode(bytes)) == nil
                if index >= headerEnd {
                    #expect(rejected, "flip of bit \(bit) at data byte \(index) was accepted")
                } else if rejected {
                    rejectedInHeader += 1
                }
            }
        }
        // A header flip that changes a tensor name or metadata text to other valid text still parses;
        // most flips break the structure.
        #expect(rejectedInHeader > headerEnd * 8 * 8 / 10, "\(rejectedInHeader) of \(headerEnd * 8)")
    }
}
