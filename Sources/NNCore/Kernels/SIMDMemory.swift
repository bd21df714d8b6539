/// Unaligned SIMD loads and stores on raw `Float` pointers, used by every kernel.
extension UnsafePointer where Pointee == Float {
    @inline(__always) @usableFromInline
    func load4(_ offset: Int) -> SIMD4<Float> {
        UnsafeRawPointer(self + offset).loadUnaligned(as: SIMD4<Float>.self)
    }

    @inline(__always) @usableFromInline
    func load8(_ offset: Int) -> SIMD8<Float> {
        UnsafeRawPointer(self + offset).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) @usableFromInline
    func load16(_ offset: Int) -> SIMD16<Float> {
        UnsafeRawPointer(self + offset).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// Eight floats' bit patterns.
    @inline(__always) @usableFromInline
    func loadBits8(_ offset: Int) -> SIMD8<UInt32> {
        UnsafeRawPointer(self + offset).loadUnaligned(as: SIMD8<UInt32>.self)
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always) @usableFromInline
    func load8(_ offset: Int) -> SIMD8<Float> {
        UnsafeRawPointer(self + offset).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) @usableFromInline
    func load16(_ offset: Int) -> SIMD16<Float> {
        UnsafeRawPointer(self + offset).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always) @usableFromInline
    func store4(_ value: SIMD4<Float>, _ offset: Int) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: value, as: SIMD4<Float>.self)
    }

    @inline(__always) @usableFromInline
    func store8(_ value: SIMD8<Float>, _ offset: Int) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: value, as: SIMD8<Float>.self)
    }

    @inline(__always) @usableFromInline
    func store16(_ value: SIMD16<Float>, _ offset: Int) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: value, as: SIMD16<Float>.self)
    }
}
