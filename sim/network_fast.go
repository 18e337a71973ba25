package sim

// forceScalar makes the network run its scalar code (the normals' scalar twin) even where the
// assembly is available, so that tests compare both in one process.
var forceScalar = false
