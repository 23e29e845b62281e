#!/usr/bin/env node
/**
 * The `effect-orm` executable: `npx effect-orm --help`.
 * @internal
 */
import * as NodeChildProcessSpawner from "@effect/platform-node-shared/NodeChildProcessSpawner"
import * as NodeFileSystem from "@effect/platform-node-shared/NodeFileSystem"
import * as NodePath from "@effect/platform-node-shared/NodePath"
import * as NodeRuntime from "@effect/platform-node-shared/NodeRuntime"
import * as NodeStdio from "@effect/platform-node-shared/NodeStdio"
import * as NodeTerminal from "@effect/platform-node-shared/NodeTerminal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Command } from "effect/cli"
import { createRequire } from "node:module"
import { command } from "../cli/commands.js"

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string }

const platform = Layer.mergeAll(
  NodeChildProcessSpawner.layer.pipe(Layer.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer))),
  NodeFileSystem.layer,
  NodePath.layer,
  NodeStdio.layer,
  NodeTerminal.layer
)

Command.run(command, { version }).pipe(Effect.provide(platform), NodeRuntime.runMain)
