/// The IDX format of MNIST and Fashion-MNIST: a big-endian header (two zero bytes, a type code,
/// the number of dimensions, then each dimension as a `UInt32`) followed by the values.
/// Only unsigned bytes (type `0x08`), the format of every MNIST-style file, are read.
public struct IDXFile: Sendable {
    /// The dimensions from the header.
    public let dimensions: [Int]
    /// The values, row-major.
    public let bytes: [UInt8]

    /// Reads an IDX file, gzip-compressed or not.
    /// - Throws: `DataError.malformed` with the byte offset of the problem.
    public init(path: String) throws(DataError) {
        try self.init(bytes: FileBytes.read(path), path: path)
    }

    /// Parses IDX bytes; `path` names the source in errors.
    public init(bytes data: consuming [UInt8], path: String) throws(DataError) {
        guard data.count >= 4 else { throw .malformed(path: path, location: "byte 0", message: "too short for an IDX header") }
        guard data[0] == 0, data[1] == 0 else {
            throw .malformed(path: path, location: "byte 0", message: "not an IDX file (magic must start with two zero bytes)")
        }
        guard data[2] == 0x08 else {
            throw .malformed(path: path, location: "byte 2", message: "type code 0x\(String(data[2], radix: 16)) is not 0x08 (unsigned byte)")
        }
        let rank = Int(data[3])
        guard rank >= 1, rank <= 4 else { throw .malformed(path: path, location: "byte 3", message: "\(rank) dimensions; expected 1 to 4") }
        let headerSize = 4 + 4 * rank
        guard data.count >= headerSize else {
            throw .malformed(path: path, location: "byte \(data.count)", message: "header ends early (needs \(headerSize) bytes)")
        }
        var dimensions: [Int] = []
        var total = 1
        for d in 0..<rank {
            let o = 4 + 4 * d
            let value = Int(data[o]) << 24 | Int(data[o + 1]) << 16 | Int(data[o + 2]) << 8 | Int(data[o + 3])
            dimensions.append(value)
            let (product, overflow) = total.multipliedReportingOverflow(by: value)
            guard !overflow else { throw .malformed(path: path, location: "byte \(o)", message: "dimensions overflow") }
            total = product
        }
        // A sample is every dimension after the first; with no samples the total says nothing about its size.
        var sampleSize = 1
        for (d, value) in dimensions.enumerated().dropFirst() {
            let (product, overflow) = sampleSize.multipliedReportingOverflow(by: value)
            guard !overflow, product <= Self.maximumSampleSize else {
                throw .malformed(path: path, location: "byte \(4 + 4 * d)",
                                 message: "header \(dimensions) describes samples of more than \(Self.maximumSampleSize) values")
            }
            sampleSize = product
        }
        guard data.count - headerSize == total else {
            throw .malformed(path: path, location: "byte \(headerSize)",
                             message: "header \(dimensions) promises \(total) values, file holds \(data.count - headerSize)")
        }
        self.dimensions = dimensions
        var values = data
        values.removeSubrange(0..<headerSize)  // in place: no second copy of the image file
        self.bytes = values
    }

    /// The most values one sample may hold (2²⁸): larger headers are refused before anything is computed from them.
    public static let maximumSampleSize = 1 << 28

    /// Loads an image file and a label file into a data set with samples `[1, rows, columns]` scaled to [0, 1].
    public static func dataset(images: String, labels: String, classCount: Int = 10) throws(DataError) -> Dataset {
        let imageFile = try IDXFile(path: images)
        let labelFile = try IDXFile(path: labels)
        guard imageFile.dimensions.count == 3 else {
            throw .malformed(path: images, location: "byte 3", message: "image files have 3 dimensions, this has \(imageFile.dimensions.count)")
        }
        guard labelFile.dimensions.count == 1 else {
            throw .malformed(path: labels, location: "byte 3", message: "label files have 1 dimension, this has \(labelFile.dimensions.count)")
        }
        guard imageFile.dimensions[0] == labelFile.dimensions[0] else {
            throw .inconsistent("\(images) has \(imageFile.dimensions[0]) images but \(labels) has \(labelFile.dimensions[0]) labels")
        }
        return try Dataset(
            features: .bytes(imageFile.bytes, scale: 1 / 255),
            labels: labelFile.bytes.map(Int.init),
            sampleShape: [1, imageFile.dimensions[1], imageFile.dimensions[2]], classCount: classCount)
    }
}
