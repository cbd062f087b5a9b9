import { ArgumentError } from './errors';

export type FloatX = 'float32' | 'float64';

class Config {
  private _floatX: FloatX = 'float32';
  /** The dtype of float variables, constants and shared values when none is given. */
  get floatX(): FloatX {
    return this._floatX;
  }
  set floatX(v: FloatX) {
    if (v !== 'float32' && v !== 'float64') {
      throw new ArgumentError(`config: floatX must be "float32" or "float64", got ${JSON.stringify(v)}`);
    }
    this._floatX = v;
  }
}

/** Global settings, Theano style: `T.config.floatX = "float64"`. */
export const config = new Config();
