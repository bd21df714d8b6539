import CZlib
import Foundation

/// Reads whole files, transparently inflating gzip, with a cap on the inflated size.
enum FileBytes {
    /// The largest inflated file accepted (guards against decompression bombs).
    static let maximumSize = 2 << 30

    static func read(_ path: String) throws(DataError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw .notFound(path: path, hint: "") }
        guard let bytes = FileManager.default.contents(atPath: path).map([UInt8].init) else {
            throw .malformed(path: path, location: "open", message: "the file cannot be read")
        }
        guard bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B else { return bytes }
        return try gunzip(bytes, path: path)
    }

    static func gunzip(_ compressed: [UInt8], path: String) throws(DataError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .malformed(path: path, location: "gzip header", message: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        // The gzip trailer's last four bytes hold the inflated size (mod 2³²): reserve it once instead of
        // growing by doubling, which would briefly hold two large copies.
        if compressed.count >= 18 {
            let n = compressed.count
            let size = Int(compressed[n - 4]) | Int(compressed[n - 3]) << 8 | Int(compressed[n - 2]) << 16 | Int(compressed[n - 1]) << 24
            guard size <= maximumSize else {
                throw .malformed(path: path, location: "gzip trailer", message: "inflates to \(size) bytes, over the \(maximumSize)-byte limit")
            }
            output.reserveCapacity(min(size, compressed.count * 1032))  // deflate expands at most ~1032:1
        }
        var overLimit = false
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var status: Int32 = Z_OK
        compressed.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)  // zlib never writes its input
            stream.avail_in = uInt(source.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                // Checked before growing: appending past the cap could double a 2 GiB buffer.
                if output.count + produced > maximumSize {
                    overLimit = true
                    return
                }
                output.append(contentsOf: chunk[..<produced])
            } while status == Z_OK
        }
        guard status == Z_STREAM_END else {
            let offset = Int(stream.total_in)
            let reason = overLimit ? "inflates to more than \(maximumSize) bytes" : "corrupt or truncated gzip data"
            throw .malformed(path: path, location: "compressed byte \(offset)", message: reason)
        }
        return output
    }
}
