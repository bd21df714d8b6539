import Foundation
@testable import NNCheckpoint
import Testing

@Suite struct SafeTensorsTests {
    static let sample = Checkpoint(
        tensors: [
            "hidden.weight": StoredTensor(shape: [2, 3], values: [1, -2, 3.5, 0, .leastNormalMagnitude, -0.0]),
            "hidden.bias": StoredTensor(shape: [3], values: [0.25, 0.5, 0.75]),
            "scalar": StoredTensor(shape: [], values: [42]),
            "empty": StoredTensor(shape: [0, 4], values: []),
        ],
        metadata: ["format": "nnkit", "note": "quotes \" and \\ and ü and \n"])

    @Test func layoutIsSafetensors() throws {
        let bytes = try Self.sample.encoded()
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
        #expect((8 + headerLength) <= bytes.count)
        #expect(bytes[8] == UInt8(ascii: "{"))
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix("{\"__metadata__\":{"))
        #expect(header.contains("\"hidden.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}"))
        #expect(bytes.count - 8 - headerLength == (6 + 3 + 1) * 4)
        // Little-endian F32: 0.25 = 0x3E800000 at the start of the buffer.
        #expect(Array(bytes[(8 + headerLength)..<(12 + headerLength)]) == [0x00, 0x00, 0x80, 0x3E])
    }

    @Test func roundTripsExactly() throws {
        let decoded = try SafeTensors.decode(try Self.sample.encoded())
        for (name, tensor) in Self.sample.tensors {
            #expect(decoded.tensors[name]?.shape == tensor.shape)
            #expect(decoded.tensors[name]?.values.map(\.bitPattern) == tensor.values.map(\.bitPattern))
        }
        #expect(decoded.metadata["note"] == Self.sample.metadata["note"])
        #expect(decoded.metadata[SafeTensors.checksumKey]?.hasPrefix("crc32c:") == true)
    }

    @Test func crc32cMatchesTheStandardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        let long = (0..<1000).map { UInt8($0 % 251) }
        var bitwise: UInt32 = 0xFFFF_FFFF
        for byte in long {
            bitwise ^= UInt32(byte)
            for _ in 0..<8 { bitwise = bitwise & 1 == 1 ? (bitwise >> 1) ^ 0x82F6_3B78 : bitwise >> 1 }
        }
        #expect(CRC32C.checksum(long) == bitwise ^ 0xFFFF_FFFF)
    }

    @Test func convertsHalfBFloatAndDouble() {
        #expect(SafeTensors.halfToFloat(0x3C00) == 1)
        #expect(SafeTensors.halfToFloat(0xC000) == -2)
        #expect(SafeTensors.halfToFloat(0x7BFF) == 65504)
        #expect(SafeTensors.halfToFloat(0x0001) == 0x1p-24)
        #expect(SafeTensors.halfToFloat(0x7C00) == .infinity)
        #expect(SafeTensors.halfToFloat(0x7E00).isNaN)
        var file = Hostile.file(entries: [
            ("h", "F16", [2], 0, 4), ("b", "BF16", [1], 4, 6), ("d", "F64", [1], 6, 14),
        ], data: [0x00, 0x3C, 0x00, 0xC0, 0x80, 0x3F] + withUnsafeBytes(of: (0.5).bitPattern.littleEndian, Array.init))
        #expect(file.count > 0)
        let decoded = try? SafeTensors.decode(file)
        #expect(decoded?.tensors["h"]?.values == [1, -2])
        #expect(decoded?.tensors["b"]?.values == [1])
        #expect(decoded?.tensors["d"]?.values == [0.5])
        #expect(decoded?.tensors["h"]?.storedType == .f16)
        file[file.count - 1] ^= 0xFF
        #expect(throws: Never.self) { try SafeTensors.decode(file) }  // no checksum recorded: the data is not verified
    }

    @Test func writesAtomicallyAndReplacesTheOldFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.safetensors").path
        try Self.sample.write(to: path)
        var changed = Self.sample
        changed.tensors["scalar"] = StoredTensor(shape: [], values: [7])
        try changed.write(to: path)
        #expect(try Checkpoint(contentsOf: path).tensors["scalar"]?.values == [7])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
        #expect(throws: CheckpointError.self) { try Self.sample.write(to: "/nonexistent-dir/x.safetensors") }
        #expect(throws: CheckpointError.self) { try Checkpoint(contentsOf: directory.path) }
        #expect(throws: CheckpointError.self) { try Checkpoint(contentsOf: directory.appendingPathComponent("missing").path) }
    }
}
