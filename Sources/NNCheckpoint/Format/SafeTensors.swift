/// The safetensors layout: an 8-byte little-endian header length `N`, `N` bytes of JSON header (padded with
/// spaces to a multiple of 8), then the data buffer. Each header entry gives `dtype`, `shape` and
/// `data_offsets` (relative to the buffer); `__metadata__` is a string-to-string map.
///
/// The reader makes every check of the reference implementation: header size cap, known dtypes, checked
/// arithmetic, byte ranges equal to shape × dtype size, offsets starting at 0, contiguous and covering the
/// buffer exactly, no duplicate names, valid UTF-8 JSON; and it verifies the CRC-32C in the metadata.
public enum SafeTensors {
    /// The largest header accepted, as in the reference reader (100 MB).
    public static let maximumHeaderSize = 100_000_000
    /// The metadata key holding the data buffer's CRC-32C.
    public static let checksumKey = "nnkit.checksum"

    /// Encodes tensors (in name order) and metadata, adding the checksum of the data buffer to the metadata.
    public static func encode(_ tensors: [String: StoredTensor], metadata: [String: String]) throws(CheckpointError) -> [UInt8] {
        let names = tensors.keys.sorted()
        var data: [UInt8] = []
        data.reserveCapacity(tensors.values.reduce(0) { $0 + $1.values.count * 4 })
        var entries: [(key: String, value: JSONValue)] = []
        for name in names {
            let tensor = tensors[name]!
            guard name != "__metadata__" else { throw .unwritable(name: name, message: "the name is reserved for metadata") }
            let begin = data.count
            for value in tensor.values {
                let bits = value.bitPattern.littleEndian
                withUnsafeBytes(of: bits) { data.append(contentsOf: $0) }
            }
            entries.append((name, .object([
                ("dtype", .string(DType.f32.rawValue)),
                ("shape", .array(tensor.shape.map { .integer($0) })),
                ("data_offsets", .array([.integer(begin), .integer(data.count)])),
            ])))
        }
        var fullMetadata = metadata
        fullMetadata[checksumKey] = CRC32C.label(CRC32C.checksum(data))
        let metadataEntry: (key: String, value: JSONValue) = ("__metadata__", .object(fullMetadata.keys.sorted().map { ($0, .string(fullMetadata[$0]!)) }))
        var header = Array(JSONValue.object([metadataEntry] + entries).serialized.utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + data.count)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes += header
        bytes += data
        return bytes
    }

    /// Decodes a safetensors file's bytes; `path` names it in errors.
    public static func decode(_ bytes: [UInt8], path: String = "<checkpoint>") throws(CheckpointError) -> (tensors: [String: StoredTensor], metadata: [String: String]) {
        guard bytes.count >= 8 else {
            throw .truncated(path: path, offset: bytes.count, message: "a safetensors file starts with an 8-byte header length; the file has \(bytes.count) bytes")
        }
        var declared: UInt64 = 0
        for i in 0..<8 { declared |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard declared <= UInt64(maximumHeaderSize) else {
            throw .invalidHeader(path: path, offset: 0, message: "the header length \(declared) exceeds the \(maximumHeaderSize)-byte limit; this is not a safetensors file or it is corrupt")
        }
        let headerSize = Int(declared)
        guard headerSize <= bytes.count - 8 else {
            throw .truncated(path: path, offset: bytes.count, message: "the header declares \(headerSize) bytes but only \(bytes.count - 8) follow")
        }
        guard headerSize >= 2, bytes[8] == UInt8(ascii: "{") else {
            throw .invalidHeader(path: path, offset: 8, message: "the header must be a JSON object starting with '{'")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(Array(bytes[8..<(8 + headerSize)]), baseOffset: 8)
        } catch {
            throw .invalidHeader(path: path, offset: error.offset, message: error.message)
        }
        guard case .object(let pairs) = root else { throw .invalidHeader(path: path, offset: 8, message: "the header must be a JSON object") }

        let bufferStart = 8 + headerSize
        let bufferLength = bytes.count - bufferStart
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (name, value) in pairs {
            if name == "__metadata__" {
                guard case .object(let items) = value else {
                    throw .invalidHeader(path: path, offset: 8, message: "__metadata__ must be an object of strings")
                }
                for (key, item) in items {
                    guard case .string(let text) = item else {
                        throw .invalidHeader(path: path, offset: 8, message: "__metadata__ value for '\(key)' must be a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            entries.append(try entry(name, value, path: path))
        }
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var expectedBegin = 0
        for entry in entries {
            guard entry.begin == expectedBegin else {
                let problem = entry.begin < expectedBegin ? "overlaps the previous tensor" : "leaves a gap after the previous tensor"
                throw .invalidTensor(path: path, name: entry.name, offset: bufferStart + entry.begin,
                                     message: "data_offsets start at \(entry.begin) but should start at \(expectedBegin): the data \(problem)")
            }
            expectedBegin = entry.end
        }
        guard expectedBegin == bufferLength else {
            throw .invalidHeader(path: path, offset: bufferStart + min(expectedBegin, bufferLength),
                                 message: expectedBegin < bufferLength
                                    ? "\(bufferLength - expectedBegin) bytes after the last tensor are not described by the header"
                                    : "the tensors need \(expectedBegin) data bytes but the file has \(bufferLength)")
        }
        if let recorded = metadata[checksumKey] {
            let actual = bytes.withUnsafeBytes { CRC32C.label(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[bufferStart...]))) }
            guard recorded == actual else { throw .checksumMismatch(path: path, expected: recorded, actual: actual) }
        }
        var tensors: [String: StoredTensor] = [:]
        for entry in entries {
            tensors[entry.name] = StoredTensor(
                shape: entry.shape, values: convert(bytes, from: bufferStart + entry.begin, count: (entry.end - entry.begin) / entry.dtype.size, dtype: entry.dtype),
                storedType: entry.dtype)
        }
        return (tensors, metadata)
    }

    private static func entry(_ name: String, _ value: JSONValue, path: String) throws(CheckpointError) -> Entry {
        func fail(_ message: String) -> CheckpointError { .invalidTensor(path: path, name: name, offset: 8, message: message) }
        guard case .object(let fields) = value else { throw fail("the header entry must be an object") }
        var dtype: DType?, shape: [Int]?, offsets: [Int]?
        for (key, field) in fields {
            switch key {
            case "dtype":
                guard case .string(let text) = field, let type = DType(rawValue: text) else {
                    throw fail("unknown dtype \(field.serialized.prefix(40)); known: \(DType.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                dtype = type
            case "shape":
                guard case .array(let items) = field, items.count <= 64 else { throw fail("shape must be an array of at most 64 dimensions") }
                shape = try items.map { (item: JSONValue) throws(CheckpointError) -> Int in
                    guard case .integer(let n) = item, n >= 0 else { throw fail("shape dimensions must be non-negative integers") }
                    return n
                }
            case "data_offsets":
                guard case .array(let items) = field, items.count == 2 else { throw fail("data_offsets must be [begin, end]") }
                offsets = try items.map { (item: JSONValue) throws(CheckpointError) -> Int in
                    guard case .integer(let n) = item, n >= 0 else { throw fail("data_offsets must be non-negative integers") }
                    return n
                }
            default:
                throw fail("unexpected key '\(key.prefix(40))' in the header entry")
            }
        }
        guard let dtype, let shape, let offsets else { throw fail("the header entry needs dtype, shape and data_offsets") }
        guard offsets[0] <= offsets[1] else { throw fail("data_offsets [\(offsets[0]), \(offsets[1])] end before they begin") }
        var elements = 1
        for dimension in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw fail("the shape \(shape) overflows the element count") }
            elements = product
        }
        let (byteCount, overflow) = elements.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, byteCount == offsets[1] - offsets[0] else {
            throw fail("shape \(shape) of \(dtype.rawValue) needs \(overflow ? "more than Int.max" : String(byteCount)) bytes, but data_offsets span \(offsets[1] - offsets[0])")
        }
        guard dtype.isConvertibleToFloat else {
            throw .invalidTensor(path: path, name: name, offset: 8, message: "dtype \(dtype.rawValue) cannot be loaded; NNKit reads F32, F16, BF16 and F64")
        }
        return Entry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }

    private static func convert(_ bytes: [UInt8], from start: Int, count: Int, dtype: DType) -> [Float] {
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + start
            return [Float](unsafeUninitializedCapacity: count) { out, initialized in
                for i in 0..<count {
                    switch dtype {
                    case .f32: out[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    case .f64: out[i] = Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                    case .bf16: out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
                    default: out[i] = halfToFloat(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                    }
                }
                initialized = count
            }
        }
    }

    /// IEEE 754 binary16 to binary32, including subnormals, infinities and NaN.
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        switch exponent {
        case 0:
            let value = Float(mantissa) * 0x1p-24
            return sign == 0 ? value : -value
        case 31:
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
        }
    }
}

/// One tensor's validated header entry.
private struct Entry {
    let name: String
    let dtype: DType
    let shape: [Int]
    let begin: Int
    let end: Int
}
