/// Unaligned 16-float loads and stores for the register tile (`NNCore` has its own, for its kernels).
extension UnsafePointer where Pointee == Float {
    @inlinable @inline(__always)
    func load16(_ offset: Int) -> SIMD16<Float> {
        UnsafeRawPointer(self + offset).loadUnaligned(as: SIMD16<Float>.self)
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inlinable @inline(__always)
    func load16(_ offset: Int) -> SIMD16<Float> {
        UnsafeRawPointer(self + offset).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inlinable @inline(__always)
    func store16(_ value: SIMD16<Float>, _ offset: Int) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: value, as: SIMD16<Float>.self)
    }
}
