// Package train holds the cross-homeostatic training of the recurrent network (docs/MODEL.md,
// "Training"): the moving averages of the Up-state rates over trials and the weight updates of
// the rules the seed's paper compares, as pure functions of a trial's measured rates, the
// connectivity and the current weights. It runs no simulation: a training run alternates sim's
// network trials with Observe and Update.
//
// Weights are in pA, rates in Hz, one weight per synapse in the connectivity's synapse order,
// pathways named as sim's (XY = onto X from Y).
package train
