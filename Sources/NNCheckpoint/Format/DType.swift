/// The element types of the safetensors format, with their sizes in bytes.
///
/// NNKit computes in F32; F16, BF16 and F64 tensors are converted to F32 when read. The other types
/// are recognised (so their sizes are checked) but cannot be converted.
public enum DType: String, Sendable, CaseIterable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", u16 = "U16", i16 = "I16", f16 = "F16", bf16 = "BF16"
    case u32 = "U32", i32 = "I32", f32 = "F32", u64 = "U64", i64 = "I64", f64 = "F64"
    case f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .bool, .u8, .i8, .f8e4m3, .f8e5m2: 1
        case .u16, .i16, .f16, .bf16: 2
        case .u32, .i32, .f32: 4
        case .u64, .i64, .f64: 8
        }
    }

    /// Whether the reader converts this type to F32.
    public var isConvertibleToFloat: Bool { [.f32, .f16, .bf16, .f64].contains(self) }
}
