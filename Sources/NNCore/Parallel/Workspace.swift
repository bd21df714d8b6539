import Synchronization

/// Reusable, 64-byte-aligned scratch buffers for the kernels' packing, so that a training step does not
/// allocate (and fault in fresh pages) on every GEMM.
struct Workspace: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let capacity: Int

    private static let free = Mutex<[Workspace]>([])

    /// A buffer of at least `floats` elements, reused when one is available.
    static func take(floats: Int) -> Workspace {
        let reused: Workspace? = free.withLock { list in
            guard let index = list.lastIndex(where: { $0.capacity >= floats }) else { return nil }
            return list.remove(at: index)
        }
        if let reused { return reused }
        let capacity = Swift.max(floats, 1024)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<Float>.stride, alignment: 64)
        return Workspace(pointer: raw.bindMemory(to: Float.self, capacity: capacity), capacity: capacity)
    }

    /// Returns a buffer for reuse (at most eight are kept; smaller ones are freed first).
    static func give(_ workspace: Workspace) {
        let dropped: Workspace? = free.withLock { list in
            list.append(workspace)
            list.sort { $0.capacity < $1.capacity }
            return list.count > 8 ? list.removeFirst() : nil
        }
        dropped.map { UnsafeMutableRawPointer($0.pointer).deallocate() }
    }
}
