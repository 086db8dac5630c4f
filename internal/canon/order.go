package canon

// maxDepth bounds recursion through nested datatypes.
const maxDepth = 64
