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

    /// The number of shares `forEachShare(count)` splits `count` items into: one per thread, at most one per item.
    public func shareCount(_ count: Int) -> Int { Swift.max(1, Swift.min(threadCount, count)) }

    /// Runs `body(items, share)` over `shareCount(count)` contiguous ranges that together cover `0 ..< count` in
    /// order (`share` numbers them from 0), one per thread. With more than one share, each runs its kernels on one
    /// thread, so a share's work stays in its thread's cache: for the samples of a batch that each need several
    /// small products (a convolution), where splitting every product would cost more than it gains. The split
    /// depends only on `count` and the thread count.
    public func forEachShare(_ count: Int, _ body: (_ items: Range<Int>, _ share: Int) -> Void) {
        guard count > 0 else { return }
        let shares = shareCount(count)
        guard shares > 1 else { return body(0..<count, 0) }
        let single = ComputeContext.current.with(threads: 1)
        parallelFor(shares) { share, _ in
            single.run { body(count * share / shares ..< count * (share + 1) / shares, share) }
        }
    }
}
