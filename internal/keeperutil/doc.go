// Package keeperutil is the plumbing every agentchain keeper shares: the
// bounded, contained runner of the (height, id) timer queues their
// EndBlockers settle, work contained in its own cache context, address
// parsing into a module's registered error, and the bound on query pages.
package keeperutil
