import assert from 'node:assert/strict';
import { kernelPackageOf, moduleLoadOrder } from './guest-tiny.js';

const DEP = [
  'kernel/drivers/net/virtio_net.ko: kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko',
  'kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko',
  'kernel/net/core/failover.ko:',
  'kernel/drivers/virtio/virtio_ring.ko:',
  'kernel/drivers/virtio/virtio.ko:',
  'kernel/drivers/char/hw_random/virtio-rng.ko: kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko',
  'kernel/drivers/acpi/button.ko:',
  '',
].join('\n');

describe('tiny guest build', () => {
  it('loads each module after the ones it needs, each once', () => {
    const order = moduleLoadOrder(DEP, ['virtio_net', 'virtio_rng', 'button']);
    assert.deepEqual(order.filter((f) => f.endsWith('failover.ko')), ['kernel/net/core/failover.ko', 'kernel/drivers/net/net_failover.ko']);
    const at = (name: string): number => order.findIndex((f) => f.endsWith(`/${name}.ko`));
    assert.ok(at('virtio') < at('virtio_net') && at('virtio_ring') < at('virtio_net') && at('net_failover') < at('virtio_net'));
    assert.ok(at('virtio-rng') > at('virtio'), 'a name with - is found by its _ form');
    assert.equal(new Set(order).size, order.length);
    assert.equal(order.at(-1), 'kernel/drivers/acpi/button.ko');
  });

  it('names a module the kernel lacks', () => {
    assert.throws(() => moduleLoadOrder(DEP, ['e1000']), /no module e1000/);
  });

  it('finds the kernel image package behind the metapackage', () => {
    assert.equal(kernelPackageOf('linux-image-6.1.0-50-cloud-amd64 (= 6.1.176-1)'), 'linux-image-6.1.0-50-cloud-amd64');
    assert.throws(() => kernelPackageOf('libc6'), /cannot tell the kernel package/);
  });
});
