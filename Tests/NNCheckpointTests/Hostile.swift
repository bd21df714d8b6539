import NNCheckpoint

/// Builders for hand-made safetensors files, valid or not.
enum Hostile {
    /// A file from a raw header text and data bytes, with the header length prefix computed (or given).
    static func file(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
        let headerBytes = Array(header.utf8)
        let length = declaredLength ?? UInt64(headerBytes.count)
        return withUnsafeBytes(of: length.littleEndian, Array.init) + headerBytes + data
    }

    /// A file from raw header bytes (which may be invalid UTF-8).
    static func file(headerBytes: [UInt8], data: [UInt8] = []) -> [UInt8] {
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian, Array.init) + headerBytes + data
    }

    /// A file whose header lists `entries` as (name, dtype, shape, begin, end).
    static func file(entries: [(String, String, [Int], Int, Int)], metadata: String? = nil, data: [UInt8]) -> [UInt8] {
        var parts: [String] = []
        if let metadata { parts.append("\"__metadata__\":\(metadata)") }
        for (name, dtype, shape, begin, end) in entries {
            parts.append("\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(begin),\(end)]}")
        }
        return file(header: "{" + parts.joined(separator: ",") + "}", data: data)
    }
}
