import Foundation

extension Onnx_TensorProto {
    /// ONNX's element type numbers (`TensorProto.DataType`) for the types NNKit reads.
    enum ElementType: Int32 {
        case float = 1, int32 = 6, int64 = 7, double = 11
    }

    /// A float tensor named `name` of `shape`, its values stored as little-endian raw data.
    init(name: String, shape: [Int], values: [Float]) {
        self.init()
        self.name = name
        dims = shape.map(Int64.init)
        dataType = ElementType.float.rawValue
        rawData = values.withUnsafeBufferPointer { Data(buffer: $0) }
    }

    /// An int64 tensor (shapes and axes for Reshape and friends).
    init(name: String, shape: [Int], integers: [Int64]) {
        self.init()
        self.name = name
        dims = shape.map(Int64.init)
        dataType = ElementType.int64.rawValue
        rawData = integers.withUnsafeBufferPointer { Data(buffer: $0) }
    }

    /// The number of elements the dimensions describe, or `nil` when a dimension is negative or the product overflows.
    var elementCount: Int? {
        var count = 1
        for dim in dims {
            guard dim >= 0, let size = Int(exactly: dim) else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    /// The values as floats (from float, double, int32 or int64 data, raw or typed), or a reason why not.
    func floatValues() throws(ONNXTensorProblem) -> [Float] {
        guard let count = elementCount else { throw ONNXTensorProblem("tensor '\(name)' has invalid dimensions \(dims)") }
        if hasDataLocation, dataLocation == .external { throw ONNXTensorProblem("tensor '\(name)' is stored in an external file, which NNKit does not read") }
        guard let type = ElementType(rawValue: dataType) else { throw ONNXTensorProblem("tensor '\(name)' has element type \(dataType); NNKit reads float, double, int32 and int64") }
        let values: [Float]
        if !rawData.isEmpty {
            let width = switch type { case .float, .int32: 4; case .int64, .double: 8 }
            guard rawData.count == count.multipliedReportingOverflow(by: width).partialValue else {
                throw ONNXTensorProblem("tensor '\(name)' has \(rawData.count) bytes of data for \(count) values of \(width) bytes")
            }
            values = rawData.withUnsafeBytes { raw in
                switch type {
                case .float: (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
                case .int32: (0..<count).map { Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) }
                case .int64: (0..<count).map { Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))) }
                case .double: (0..<count).map { Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)))) }
                }
            }
        } else {
            values = switch type {
            case .float: floatData
            case .int32: int32Data.map(Float.init)
            case .int64: int64Data.map(Float.init)
            case .double: doubleData.map(Float.init)
            }
            guard values.count == count else { throw ONNXTensorProblem("tensor '\(name)' has \(values.count) values for dimensions \(dims)") }
        }
        return values
    }

    /// The values as integers (int64 or int32 data), or `nil` for other types.
    func integerValues() -> [Int64]? {
        guard let count = elementCount, let type = ElementType(rawValue: dataType) else { return nil }
        if !rawData.isEmpty {
            switch type {
            case .int64 where rawData.count % 8 == 0 && rawData.count / 8 == count:
                return rawData.withUnsafeBytes { raw in (0..<count).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) } }
            case .int32 where rawData.count % 4 == 0 && rawData.count / 4 == count:
                return rawData.withUnsafeBytes { raw in (0..<count).map { Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) } }
            default: return nil
            }
        }
        switch type {
        case .int64: return int64Data.count == count ? int64Data : nil
        case .int32: return int32Data.count == count ? int32Data.map(Int64.init) : nil
        default: return nil
        }
    }
}

/// Why an ONNX tensor's values could not be read.
struct ONNXTensorProblem: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
