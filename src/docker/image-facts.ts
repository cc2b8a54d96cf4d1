/** Reads what the engine knows of the runner image (labels, user, command) for choosing its contract. */
import type Dockerode from 'dockerode';
import type { ImageFacts } from '../core/runner/releases';

export async function readImageFacts(docker: Dockerode, image: string): Promise<ImageFacts> {
  let inspected: Dockerode.ImageInspectInfo;
  try {
    inspected = await docker.getImage(image).inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404)
      return { image, present: false, labels: {}, user: '', command: [] };
    throw error;
  }
  const config = inspected.Config;
  return {
    image,
    present: true,
    labels: config?.Labels ?? {},
    user: config?.User ?? '',
    command: [...(config?.Entrypoint ?? []), ...(config?.Cmd ?? [])].map(String),
  };
}
