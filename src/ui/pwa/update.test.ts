import { describe, expect, it } from 'vitest'
import { UpdateFlow } from './update.ts'

function setup(downloads = 0) {
  const state = { downloads, activated: 0, phases: [] as string[] }
  const flow = new UpdateFlow(
    { activeDownloads: () => state.downloads, activate: () => state.activated++ },
    (p) => state.phases.push(p),
  )
  return { state, flow }
}

describe('UpdateFlow', () => {
  it('does nothing until a worker waits', () => {
    const { state, flow } = setup()
    expect(flow.reload()).toBe('none')
    expect(state.activated).toBe(0)
  })

  it('activates the waiting worker at once when no download runs', () => {
    const { state, flow } = setup()
    flow.waiting()
    expect(flow.phase).toBe('ready')
    expect(flow.reload()).toBe('reloading')
    expect(state.activated).toBe(1)
    // A second click does not ask twice.
    flow.reload()
    expect(state.activated).toBe(1)
    expect(state.phases).toEqual(['ready', 'reloading'])
  })

  it('waits for running downloads, then reloads when the last ends', () => {
    const { state, flow } = setup(2)
    flow.waiting()
    expect(flow.reload()).toBe('deferred')
    expect(state.activated).toBe(0)
    state.downloads = 1
    flow.downloadsChanged()
    expect(state.activated).toBe(0)
    state.downloads = 0
    flow.downloadsChanged()
    expect(state.activated).toBe(1)
    expect(state.phases).toEqual(['ready', 'deferred', 'reloading'])
  })

  it('reloads over a running download when the person insists', () => {
    const { state, flow } = setup(1)
    flow.waiting()
    flow.reload()
    expect(flow.reload(true)).toBe('reloading')
    expect(state.activated).toBe(1)
  })
})
