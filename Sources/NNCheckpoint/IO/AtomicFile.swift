#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and crash-safe writes.
public enum AtomicFile {
    /// Writes `bytes` to `path` so that the path always holds either the old complete file or the new one:
    /// a temporary file in the same directory is written, fsynced, renamed over `path`, and the
    /// directory is fsynced. Safe to use on the file a model was loaded from.
    ///
    /// Only a regular file or a new name is replaced: a device, directory, FIFO or symbolic link at `path` is
    /// refused (renaming over `/dev/null` would replace the device node with a file).
    public static func write(_ bytes: [UInt8], to path: String) throws(CheckpointError) {
        try checkReplaceable(path)
        let directory = Self.directory(of: path)
        let base = path.split(separator: "/").last.map(String.init) ?? path
        var template = Array("\(directory)/.\(base).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw .io(path: path, operation: "create a temporary file in \(directory)", message: errorText()) }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            _ = fchmod(fd, 0o644)
            var written = 0
            let total = bytes.count
            let failure: String? = bytes.withUnsafeBytes { buffer in
                while written < total {
                    let n = Glibc.write(fd, buffer.baseAddress! + written, total - written)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return errorText()
                    }
                    written += n
                }
                return nil
            }
            if let failure { throw .io(path: temporary, operation: "write", message: failure) }
            guard fsync(fd) == 0 else { throw .io(path: temporary, operation: "fsync", message: errorText()) }
        }
        guard rename(temporary, path) == 0 else { throw .io(path: path, operation: "rename \(temporary) to it", message: errorText()) }
        renamed = true
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// Checks that `path` can be written by `write(_:to:)`: not empty, in an existing directory, and naming a
    /// regular file or nothing yet.
    public static func checkReplaceable(_ path: String) throws(CheckpointError) {
        guard !path.isEmpty else { throw .io(path: path, operation: "write", message: "the path is empty") }
        var info = stat()
        if lstat(path, &info) == 0 {
            let kind = info.st_mode & S_IFMT
            guard kind == S_IFREG else {
                let what = kind == S_IFDIR ? "a directory" : kind == S_IFLNK ? "a symbolic link" : kind == S_IFIFO ? "a FIFO" : kind == S_IFCHR || kind == S_IFBLK ? "a device" : "not a regular file"
                throw .io(path: path, operation: "replace", message: "it is \(what); give the path of a regular file or a new one")
            }
        } else if errno != ENOENT {
            throw .io(path: path, operation: "stat", message: errorText())
        }
        let directory = Self.directory(of: path)
        var directoryInfo = stat()
        guard stat(directory, &directoryInfo) == 0, directoryInfo.st_mode & S_IFMT == S_IFDIR else {
            throw .io(path: path, operation: "write", message: "the directory \(directory) does not exist")
        }
        guard access(directory, W_OK) == 0 else {
            throw .io(path: path, operation: "write", message: "the directory \(directory) is not writable")
        }
    }

    /// Removes temporary files that an interrupted `write(_:to:)` of `path` left behind (`.NAME.tmp-XXXXXX`).
    public static func removeLeftovers(of path: String) {
        let directory = Self.directory(of: path)
        let base = path.split(separator: "/").last.map(String.init) ?? path
        let prefix = ".\(base).tmp-"
        guard let handle = opendir(directory) else { return }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if name.hasPrefix(prefix), name.count == prefix.count + 6 { names.append(name) }
        }
        for name in names { unlink(directory + "/" + name) }
    }

    /// The whole file, refusing files larger than `limit` bytes.
    public static func read(_ path: String, limit: Int = 1 << 40) throws(CheckpointError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .io(path: path, operation: "open", message: errorText()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: path, operation: "stat", message: errorText()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .io(path: path, operation: "read", message: "not a regular file") }
        let size = Int(info.st_size)
        guard size <= limit else { throw .io(path: path, operation: "read", message: "the file is \(size) bytes, over the \(limit)-byte limit") }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        let failure: String? = bytes.withUnsafeMutableBytes { buffer in
            while done < size {
                let n = Glibc.read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errorText()
                }
                if n == 0 { break }
                done += n
            }
            return nil
        }
        if let failure { throw .io(path: path, operation: "read", message: failure) }
        return done == size ? bytes : Array(bytes[..<done])
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
