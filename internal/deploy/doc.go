// Package deploy holds checks of the deployment files.
//
// Its tests read docker-compose.yml, Dockerfile and .dockerignore at the repository root and
// check that they are coherent without a Docker engine: services, dependencies, pinned images,
// ports, volumes, secrets, the Temporal set-up jobs and the worker's environment.
package deploy
