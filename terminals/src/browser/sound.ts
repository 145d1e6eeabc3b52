/**
 * A short two-tone chime for a new stock alert. Browsers only play sound after a person touched
 * the page, so the sound switch itself unlocks it.
 */
let context: AudioContext | null = null;

export function unlockSound(): void {
  context ??= new AudioContext();
  void context.resume();
}

export function chime(urgent: boolean): void {
  if (context?.state !== 'running') return;
  const t = context.currentTime;
  const tones = urgent ? [880, 660, 880] : [660, 880];
  tones.forEach((freq, i) => {
    const osc = context!.createOscillator();
    const gain = context!.createGain();
    osc.frequency.value = freq;
    osc.type = 'sine';
    gain.gain.setValueAtTime(0.0001, t + i * 0.18);
    gain.gain.exponentialRampToValueAtTime(0.3, t + i * 0.18 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.18 + 0.16);
    osc.connect(gain).connect(context!.destination);
    osc.start(t + i * 0.18);
    osc.stop(t + i * 0.18 + 0.17);
  });
}
