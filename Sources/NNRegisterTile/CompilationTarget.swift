/// A type that names one module's compiled copy of `RegisterTile`'s loops (`RegisterTile<Target>`): each module
/// that runs them declares its own, so that the copies it compiles, for its own target flags, get symbols of
/// their own.
public protocol CompilationTarget {}
