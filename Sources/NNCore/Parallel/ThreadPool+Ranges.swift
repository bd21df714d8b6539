extension ThreadPool {
    /// Runs `body` over contiguous ranges that together cover `0 ..< count`, one range per thread, each at least
    /// `minimumPerThread` long (a single range on the calling thread when `count` is smaller than twice that).
    ///
    /// For elementwise loops large enough to pay for the hand-off (about a microsecond): an optimiser's update of a
    /// weight, the conversion of a batch. Each element is computed by exactly one call, so an elementwise loop gives
    /// the same bits however the range is split. Range boundaries fall on multiples of 16 elements (whole cache lines
    /// of `Float`).
    public func forEachRange(_ count: Int, minimumPerThread: Int = 16_384, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let parts = Swift.max(1, Swift.min(threadCount, count / Swift.max(1, minimumPerThread)))
        guard parts > 1 else { return body(0..<count) }
        parallelFor(parts) { part, _ in
            let start = part == 0 ? 0 : Swift.min(count, (count * part / parts + 15) & ~15)
            let end = part == parts - 1 ? count : Swift.min(count, (count * (part + 1) / parts + 15) & ~15)
            if start < end { body(start..<end) }
        }
    }
}
